import ParadiffuseTensors

/// How far a reduced-precision model's output is from diffusers' float32 one, relative to the reference's scale.
struct OutputDeviation: CustomStringConvertible {
    struct Tolerance: Sendable {
        let maximum: Float
        let rms: Float

        /// bfloat16 keeps 8 significant bits (relative rounding 2⁻⁹ ≈ 0.2%), and the errors grow through the layers:
        /// on these fixtures Paradiffuse's bfloat16 outputs deviate from float32 by at most 3.2% (max, CLIP `gelu`)
        /// and 1.3% (RMS); PyTorch's own bfloat16 (`model.to(torch.bfloat16)`) by up to 3.1% and 2.0%.
        static let bfloat16 = Tolerance(maximum: 0.04, rms: 0.02)

        /// int8 rounds the weights and inputs of each layer to 255 levels (relative step up to 2⁻⁷ of the largest
        /// value), and the errors grow through the layers: on these fixtures (random weights) int8 outputs, in
        /// float32 or bfloat16, deviate from float32 by at most 6.6% (max, CLIP `gelu`) and 5.1% (RMS, VAE decoder).
        static let int8 = Tolerance(maximum: 0.08, rms: 0.06)

        /// Without int8 dot products (VNNI), oneDNN halves the int8 weights so its 16-bit pair sums cannot saturate:
        /// 7 bits per weight. Measured on these fixtures (EPYC capped to AVX2): at most 12.3% (max, CLIP `gelu`) and
        /// 6.2% (RMS, VAE decoder), against 6.6% and 5.1% with VNNI.
        static let int8SevenBitWeights = Tolerance(maximum: 0.16, rms: 0.08)

        /// The int8 tolerance of this CPU.
        static var int8Here: Tolerance { CPUCapabilities.current.hasInt8DotProducts ? int8 : int8SevenBitWeights }
    }

    /// Largest absolute difference over max(1, largest absolute reference value).
    let maximum: Float
    /// Root mean square difference over the reference's root mean square.
    let rms: Float
    let tolerance: Tolerance

    init(_ actual: Tensor, from expected: Tensor, tolerance: Tolerance) {
        precondition(actual.shape == expected.shape, "shapes differ: \(actual) and \(expected)")
        maximum = actual.maxAbsDifference(expected) / max(1, expected.maxAbs)
        var (squaredDifference, squaredReference) = (0.0, 0.0)
        for (value, reference) in zip(actual.scalars, expected.scalars) {
            squaredDifference += Double(value - reference) * Double(value - reference)
            squaredReference += Double(reference) * Double(reference)
        }
        rms = Float((squaredDifference / max(squaredReference, .leastNormalMagnitude)).squareRoot())
        self.tolerance = tolerance
    }

    var isWithinTolerance: Bool { maximum <= tolerance.maximum && rms <= tolerance.rms }

    var description: String { "max \(maximum), RMS \(rms) (relative)" }
}
