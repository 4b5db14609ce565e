/// Statistics over each batch item, for scheduler math (dynamic thresholding).
extension Tensor {
    /// The `q`-quantile of each batch item's elements, as `torch.quantile(x.reshape(N, -1), q, dim: 1)` computes
    /// it for float32: the rank `q·(n−1)` in double precision from the float32 `q`, the weight rounded to float32,
    /// and torch's fused `lerp` between the two neighbouring sorted values. An item holding a NaN gives NaN.
    public func itemQuantiles(_ q: Float) -> [Float] {
        precondition((0...1).contains(q), "quantile \(q) is outside [0, 1]")
        let itemCount = self.itemCount
        precondition(itemCount > 0, "quantiles of empty items in \(self)")
        let rank = Double(q) * Double(itemCount - 1)
        let below = Int(rank)
        let above = Int(rank.rounded(.up))
        let weight = Float(rank - Double(below))
        return withUnsafeBufferPointer { values in
            (0..<batchSize).map { item in
                let elements = values[item * itemCount..<(item + 1) * itemCount]
                if elements.contains(where: \.isNaN) { return .nan }
                let sorted = elements.sorted()
                return Self.torchLerp(sorted[below], sorted[above], weight: weight)
            }
        }
    }

    /// `torch.lerp` on CPU, whose C++ the compiler fuses into multiply-adds.
    private static func torchLerp(_ start: Float, _ end: Float, weight: Float) -> Float {
        let difference = end - start
        return abs(weight) < 0.5
            ? start.addingProduct(weight, difference)
            : end.addingProduct(-difference, 1 - weight)
    }
}

extension Tensor {
    /// Whether every element is a finite number: no NaN, no infinity.
    public var isAllFinite: Bool {
        (dtype == .float32 ? self : converted(to: .float32)).withUnsafeBufferPointer { $0.allSatisfy(\.isFinite) }
    }
}
