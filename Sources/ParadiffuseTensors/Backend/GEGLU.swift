import CKernels

extension Tensor {
    /// GEGLU on row-major `[..., 2·W]` (float32 or bfloat16): the first half times GELU of the second half,
    /// giving `[..., W]` of the same dtype.
    public func geglu() -> Tensor {
        let isa = CPUCapabilities.InstructionSet.current.kernelLevel
        precondition(layout == .rowMajor && shape.last! % 2 == 0, "GEGLU expects [..., 2·W], got \(self)")
        let width = shape.last! / 2
        let output = Tensor(uninitializedShape: shape.dropLast() + [width], dtype: dtype)
        let rows = count / (2 * width)
        let (source, target) = (unsafeRawPointer, UnsafeRawPointer(output.storage.bytes))
        let elementSize = dtype.byteSize
        parallelRows(rows, minimumRowsPerTask: 16) { range in
            let input = source + range.lowerBound * 2 * width * elementSize
            let result = UnsafeMutableRawPointer(mutating: target + range.lowerBound * width * elementSize)
            switch dtype {
            case .float32:
                pd_geglu(isa, input.assumingMemoryBound(to: Float.self), result.assumingMemoryBound(to: Float.self),
                         range.count, width)
            case .bfloat16:
                pd_geglu_bf16(isa, input.assumingMemoryBound(to: UInt16.self), result.assumingMemoryBound(to: UInt16.self),
                              range.count, width)
            }
        }
        return output
    }
}
