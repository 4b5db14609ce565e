import ParadiffuseTensors

/// Sums of scaled tensors in float32, in the order diffusers' expressions evaluate them.
extension Tensor {
    /// `c₀·x₀ + c₁·x₁ + …`, summed left to right (a subtracted term is a negated coefficient, which rounds the
    /// same).
    static func linearCombination(_ terms: [(Float, Tensor)]) -> Tensor {
        let (firstScale, first) = terms[0]
        return (firstScale * first).adding(terms.dropFirst())
    }

    /// `self + c₁·x₁ + c₂·x₂ + …`, summed left to right.
    func adding<Terms: Sequence>(_ terms: Terms) -> Tensor where Terms.Element == (Float, Tensor) {
        terms.reduce(self) { sum, term in
            sum.zipMap(term.1) { total, value in total + term.0 * value }
        }
    }

    /// `scale · (a − b)` elementwise.
    static func scaledDifference(_ scale: Float, _ a: Tensor, _ b: Tensor) -> Tensor {
        a.zipMap(b) { a, b in scale * (a - b) }
    }
}
