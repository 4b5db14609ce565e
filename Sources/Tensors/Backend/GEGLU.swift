import CKernels

extension Tensor {
    /// GEGLU on row-major `[..., 2·W]`: the first half times GELU of the second half, giving `[..., W]`.
    public func geglu() -> Tensor {
        precondition(layout == .rowMajor && shape.last! % 2 == 0, "GEGLU expects [..., 2·W], got \(self)")
        let width = shape.last! / 2
        let output = Tensor(uninitializedShape: shape.dropLast() + [width])
        let rows = count / (2 * width)
        parallelRows(rows, minimumRowsPerTask: 16) { range in
            pd_geglu(floats + range.lowerBound * 2 * width, output.mutableFloats + range.lowerBound * width,
                     range.count, width)
        }
        return output
    }
}
