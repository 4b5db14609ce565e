import Tensors

/// How far a bfloat16 model's output is from diffusers' float32 one, relative to the reference's scale.
struct BFloat16Deviation: CustomStringConvertible {
    /// bfloat16 keeps 8 significant bits (relative rounding 2⁻⁹ ≈ 0.2%), and the errors grow through the layers:
    /// on these fixtures Paradiffuse's bfloat16 outputs deviate from float32 by at most 3.2% (max, CLIP `gelu`) and
    /// 1.3% (RMS); PyTorch's own bfloat16 (`model.to(torch.bfloat16)`) by up to 3.1% and 2.0%.
    static let maximumTolerance: Float = 0.04
    static let rmsTolerance: Float = 0.02

    /// Largest absolute difference over max(1, largest absolute reference value).
    let maximum: Float
    /// Root mean square difference over the reference's root mean square.
    let rms: Float

    init(_ actual: Tensor, from expected: Tensor) {
        precondition(actual.shape == expected.shape, "shapes differ: \(actual) and \(expected)")
        maximum = actual.maxAbsDifference(expected) / max(1, expected.maxAbs)
        let (differences, references) = (actual.scalars, expected.scalars)
        var (squaredDifference, squaredReference) = (0.0, 0.0)
        for (value, reference) in zip(differences, references) {
            squaredDifference += Double(value - reference) * Double(value - reference)
            squaredReference += Double(reference) * Double(reference)
        }
        rms = Float((squaredDifference / max(squaredReference, .leastNormalMagnitude)).squareRoot())
    }

    var isWithinTolerance: Bool { maximum <= Self.maximumTolerance && rms <= Self.rmsTolerance }

    var description: String { "max \(maximum), RMS \(rms) (relative)" }
}
