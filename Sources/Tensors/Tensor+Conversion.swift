import CDNNL

extension Tensor {
    /// The same values as `dtype` in the same layout (float32 to bfloat16 rounds to nearest even), or self if
    /// already so.
    public func converted(to dtype: DType) -> Tensor {
        if dtype == self.dtype { return self }
        let target = switch layout {
        case .channelsLast: MemoryDescriptor(shape: shape, dtype: dtype, tag: dnnl_nhwc)
        case .rowMajor: MemoryDescriptor(shape: shape, dtype: dtype, strides: MemoryDescriptor.rowMajorStrides(shape))
        }
        return Tensor(shape: shape, dtype: dtype, layout: layout,
                      storage: reordered(unsafeRawPointer, from: MemoryDescriptor(self), to: target))
    }

    /// Wraps read-only memory that `owner` keeps alive (e.g. a memory-mapped file), without copying. When the
    /// last tensor sharing it goes away, the whole pages inside it are given back to the operating system
    /// (they are read again from the file if touched later), so weights that were packed elsewhere stop
    /// counting towards resident memory. Writes through the tensor's mutating methods copy first.
    public init(mappedBytes bytes: UnsafeRawPointer, shape: [Int], dtype: DType, owner: MappedMemory) {
        let byteCount = shape.reduce(1, *) * dtype.byteSize
        self.init(shape: shape, dtype: dtype,
                  storage: TensorStorage(mapped: UnsafeMutableRawPointer(mutating: bytes), byteCount: byteCount,
                                         owner: owner))
    }
}
