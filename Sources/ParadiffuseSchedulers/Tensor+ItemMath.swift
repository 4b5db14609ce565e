import ParadiffuseTensors

/// Elementwise float32 math where each batch item has its own coefficients (its own timestep).
extension Tensor {
    /// `result[i] = combine(item, self[i], other[i])`, `item` being the batch item that holds element `i`.
    func zipMapItems(_ other: Tensor, _ combine: (_ item: Int, Float, Float) -> Float) -> Tensor {
        precondition(shape == other.shape && layout == other.layout, "shapes differ: \(self) and \(other)")
        let itemCount = batchSize == 0 ? 0 : count / batchSize
        var result = Tensor(uninitializedShape: shape, layout: layout)
        withUnsafeBufferPointer { left in
            other.withUnsafeBufferPointer { right in
                result.withUnsafeMutableBufferPointer { target in
                    for item in 0..<batchSize {
                        for index in item * itemCount..<(item + 1) * itemCount {
                            target[index] = combine(item, left[index], right[index])
                        }
                    }
                }
            }
        }
        return result
    }

    /// `result[i] = transform(item, self[i])`, `item` being the batch item that holds element `i`.
    func mapItems(_ transform: (_ item: Int, Float) -> Float) -> Tensor {
        zipMapItems(self) { item, value, _ in transform(item, value) }
    }

    /// A row-major `[N, 2C, ...]` tensor split into its first and last `C` channels.
    func channelHalves() -> (first: Tensor, second: Tensor) {
        precondition(layout == .rowMajor && rank >= 2 && shape[1] % 2 == 0, "cannot halve the channels of \(self)")
        let halfShape = [shape[0], shape[1] / 2] + shape.dropFirst(2)
        let halfCount = halfShape.dropFirst().reduce(1, *)
        var first = Tensor(uninitializedShape: halfShape)
        var second = Tensor(uninitializedShape: halfShape)
        withUnsafeBufferPointer { source in
            first.withUnsafeMutableBufferPointer { firstValues in
                second.withUnsafeMutableBufferPointer { secondValues in
                    for item in 0..<batchSize {
                        let start = item * 2 * halfCount
                        for index in 0..<halfCount {
                            firstValues[item * halfCount + index] = source[start + index]
                            secondValues[item * halfCount + index] = source[start + halfCount + index]
                        }
                    }
                }
            }
        }
        return (first, second)
    }
}
