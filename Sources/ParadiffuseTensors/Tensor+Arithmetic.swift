/// Elementwise arithmetic over float32 tensors of equal shape and layout, for sampler and scheduler math.
/// (Network layers use the backend's fused kernels instead.)
extension Tensor {
    public func map(_ transform: (Float) -> Float) -> Tensor {
        var result = Tensor(uninitializedShape: shape, layout: layout)
        withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                for index in 0..<source.count { target[index] = transform(source[index]) }
            }
        }
        return result
    }

    public func zipMap(_ other: Tensor, _ combine: (Float, Float) -> Float) -> Tensor {
        precondition(shape == other.shape && layout == other.layout, "shapes differ: \(self) and \(other)")
        var result = Tensor(uninitializedShape: shape, layout: layout)
        withUnsafeBufferPointer { left in
            other.withUnsafeBufferPointer { right in
                result.withUnsafeMutableBufferPointer { target in
                    for index in 0..<left.count { target[index] = combine(left[index], right[index]) }
                }
            }
        }
        return result
    }

    public static func + (left: Tensor, right: Tensor) -> Tensor { left.zipMap(right, +) }
    public static func - (left: Tensor, right: Tensor) -> Tensor { left.zipMap(right, -) }
    public static func * (left: Tensor, right: Tensor) -> Tensor { left.zipMap(right, *) }
    public static func * (scale: Float, tensor: Tensor) -> Tensor { tensor.map { scale * $0 } }
    public static func * (tensor: Tensor, scale: Float) -> Tensor { tensor.map { $0 * scale } }
    public static func / (tensor: Tensor, divisor: Float) -> Tensor { tensor.map { $0 / divisor } }

    /// Each batch item scaled by its own factor: `result[n] = factors[n] * self[n]`.
    public func scaledPerItem(_ factors: [Float]) -> Tensor {
        precondition(factors.count == batchSize, "\(factors.count) factors for batch \(batchSize)")
        var result = Tensor(uninitializedShape: shape, layout: layout)
        let itemCount = self.itemCount
        withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                for item in 0..<batchSize {
                    let factor = factors[item]
                    for index in item * itemCount..<(item + 1) * itemCount { target[index] = factor * source[index] }
                }
            }
        }
        return result
    }

    /// Largest absolute elementwise difference.
    public func maxAbsDifference(_ other: Tensor) -> Float {
        precondition(shape == other.shape && layout == other.layout, "shapes differ: \(self) and \(other)")
        return withUnsafeBufferPointer { left in
            other.withUnsafeBufferPointer { right in
                var largest: Float = 0
                for index in 0..<left.count {
                    let difference = abs(left[index] - right[index])
                    if difference.isNaN { return .nan }
                    largest = max(largest, difference)
                }
                return largest
            }
        }
    }

    public var maxAbs: Float {
        withUnsafeBufferPointer { values in values.reduce(0) { max($0, abs($1)) } }
    }
}
