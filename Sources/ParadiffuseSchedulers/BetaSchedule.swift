import Foundation

/// How the training betas grow from `beta_start` to `beta_end` (`beta_schedule` in `scheduler_config.json`).
public enum BetaSchedule: String, Sendable, CaseIterable {
    case linear
    /// Linear in √β, the latent diffusion (Stable Diffusion) schedule.
    case scaledLinear = "scaled_linear"
    /// Glide's cosine schedule: ᾱ(t) = cos²((t + 0.008)/1.008 · π/2), each β capped at 0.999.
    case squaredcosCapV2 = "squaredcos_cap_v2"
    /// GeoDiff's sigmoid schedule (DDPM only).
    case sigmoid
    /// The Laplace schedule of ᾱ(t) (DDPM only).
    case laplace

    /// The float32 betas diffusers computes for this schedule.
    func betas(start: Double, end: Double, count: Int) -> [Float] {
        switch self {
        case .linear:
            TorchScheduleMath.linspace(from: Float(start), to: Float(end), count: count)
        case .scaledLinear:
            TorchScheduleMath.linspace(from: Float(start.squareRoot()), to: Float(end.squareRoot()), count: count)
                .map { $0 * $0 }
        case .squaredcosCapV2:
            Self.betasForAlphaBar(count: count) { t in
                let angle = (t + 0.008) / 1.008 * Double.pi / 2
                return cos(angle) * cos(angle)
            }
        case .sigmoid:
            TorchScheduleMath.linspace(from: -6, to: 6, count: count).map { x in
                (1 / (1 + exp(-x))) * Float(end - start) + Float(start)
            }
        case .laplace:
            Self.betasForAlphaBar(count: count) { t in
                let signedLog = -0.5 * copysign(1.0, 0.5 - t) * log(1 - 2 * abs(0.5 - t) + 1e-6)
                let signalToNoise = exp(signedLog)
                return (signalToNoise / (1 + signalToNoise)).squareRoot()
            }
        }
    }

    /// Betas that discretize a continuous ᾱ(t) on [0, 1], in double precision, each capped at 0.999.
    private static func betasForAlphaBar(count: Int, _ alphaBar: (Double) -> Double) -> [Float] {
        (0..<count).map { index in
            let t1 = Double(index) / Double(count)
            let t2 = Double(index + 1) / Double(count)
            return Float(min(1 - alphaBar(t2) / alphaBar(t1), 0.999))
        }
    }
}
