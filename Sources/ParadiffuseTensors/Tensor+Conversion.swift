import CKernels

extension Tensor {
    /// The same values as `dtype` in the same layout, or self if already so: float32 to bfloat16 rounds to nearest
    /// even, as PyTorch does, on every instruction set (`CKernelsConversion.h`).
    public func converted(to dtype: DType) -> Tensor {
        converted(to: dtype, instructionSet: .current)
    }

    /// The same, on the kernels of `instructionSet`.
    func converted(to dtype: DType, instructionSet: CPUCapabilities.InstructionSet) -> Tensor {
        if dtype == self.dtype { return self }
        let output = Tensor(uninitializedShape: shape, dtype: dtype, layout: layout)
        let (source, target, isa) = (unsafeRawPointer, UnsafeRawPointer(output.storage.bytes), instructionSet.kernelLevel)
        parallelRows(count, minimumRowsPerTask: 1 << 16) { range in
            let offset = range.lowerBound
            switch dtype {
            case .float32:
                pd_widen_bf16(isa, source.assumingMemoryBound(to: UInt16.self) + offset,
                              UnsafeMutablePointer(mutating: target.assumingMemoryBound(to: Float.self)) + offset,
                              range.count)
            case .bfloat16:
                pd_round_to_bf16(isa, source.assumingMemoryBound(to: Float.self) + offset,
                                 UnsafeMutablePointer(mutating: target.assumingMemoryBound(to: UInt16.self)) + offset,
                                 range.count)
            }
        }
        return output
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
