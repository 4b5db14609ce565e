import ParadiffuseTensors

/// What the model predicts (`prediction_type`).
public enum PredictionType: String, Sendable, CaseIterable {
    /// The noise ε.
    case epsilon
    /// The clean sample x₀.
    case sample
    /// The velocity v = √ᾱ·ε − √(1−ᾱ)·x₀ (Salimans & Ho 2022; Imagen Video §2.4).
    case vPrediction = "v_prediction"
}

/// Conversions between the model output, x₀ and ε for items with signal scale √ᾱ_t and noise scale √(1 − ᾱ_t),
/// in diffusers' order of float32 operations.
extension PredictionType {
    func predictedOriginalSample(modelOutput: Tensor, sample: Tensor, signalScales: [Float],
                                 noiseScales: [Float]) -> Tensor {
        switch self {
        case .epsilon:
            sample.zipMapItems(modelOutput) { item, x, epsilon in (x - noiseScales[item] * epsilon) / signalScales[item] }
        case .sample:
            modelOutput
        case .vPrediction:
            sample.zipMapItems(modelOutput) { item, x, v in signalScales[item] * x - noiseScales[item] * v }
        }
    }

    func predictedNoise(modelOutput: Tensor, sample: Tensor, signalScales: [Float], noiseScales: [Float]) -> Tensor {
        switch self {
        case .epsilon:
            modelOutput
        case .sample:
            Self.noise(fromOriginalSample: modelOutput, sample: sample, signalScales: signalScales,
                       noiseScales: noiseScales)
        case .vPrediction:
            sample.zipMapItems(modelOutput) { item, x, v in signalScales[item] * v + noiseScales[item] * x }
        }
    }

    /// ε = (x − √ᾱ·x₀) / √(1 − ᾱ).
    static func noise(fromOriginalSample originalSample: Tensor, sample: Tensor, signalScales: [Float],
                      noiseScales: [Float]) -> Tensor {
        sample.zipMapItems(originalSample) { item, x, x0 in (x - signalScales[item] * x0) / noiseScales[item] }
    }
}
