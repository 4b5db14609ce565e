import Foundation
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
    /// x₀ from the model output at `sample`, item `i` having signal scale `signalScales[i]` and noise scale
    /// `noiseScales[i]`.
    public func predictedOriginalSample(modelOutput: Tensor, sample: Tensor, signalScales: [Float],
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

/// One noise level σ of the λ-based solvers (DPM-Solver, UniPC, DEIS) in float32, as diffusers'
/// `_sigma_to_alpha_sigma_t` computes it: α_t = 1/√(σ² + 1), σ_t = σ·α_t and the log-SNR λ = log α_t − log σ_t.
struct NoiseLevel {
    let alpha: Float
    let sigma: Float
    let lambda: Float

    init(_ scaledSigma: Float) {
        alpha = 1 / (scaledSigma * scaledSigma + 1).squareRoot()
        sigma = scaledSigma * alpha
        lambda = log(alpha) - log(sigma)
    }
}

/// The model output converted at one noise level, in diffusers' order of float32 operations.
extension PredictionType {
    /// x₀ from the model output.
    func originalSample(modelOutput: Tensor, sample: Tensor, level: NoiseLevel) -> Tensor {
        predictedOriginalSample(modelOutput: modelOutput, sample: sample, signalScales: level.signalScales(sample),
                                noiseScales: level.noiseScales(sample))
    }

    /// ε from the model output.
    func noise(modelOutput: Tensor, sample: Tensor, level: NoiseLevel) -> Tensor {
        predictedNoise(modelOutput: modelOutput, sample: sample, signalScales: level.signalScales(sample),
                       noiseScales: level.noiseScales(sample))
    }

    /// ε = (x − α·x₀) / σ.
    static func noise(fromOriginalSample originalSample: Tensor, sample: Tensor, level: NoiseLevel) -> Tensor {
        noise(fromOriginalSample: originalSample, sample: sample, signalScales: level.signalScales(sample),
              noiseScales: level.noiseScales(sample))
    }
}

extension NoiseLevel {
    fileprivate func signalScales(_ sample: Tensor) -> [Float] { Array(repeating: alpha, count: sample.batchSize) }
    fileprivate func noiseScales(_ sample: Tensor) -> [Float] { Array(repeating: sigma, count: sample.batchSize) }
}
