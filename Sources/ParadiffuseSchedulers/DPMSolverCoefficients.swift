import Foundation
import ParadiffuseTensors

/// The weights of a DPM-Solver update from a base noise level to `target` over the log-SNR step h, shared by the
/// multistep and singlestep solvers: `x_t = sampleScale·x + firstOrder·D₀ + (midpoint or secondOrder)·D₁
/// + thirdOrder·D₂ (+ noiseScale·z)`, each weight in diffusers' float32 expression for `algorithm`.
struct DPMSolverCoefficients {
    let sampleScale: Float
    /// The weight of D₀, the model output of the base level.
    let firstOrder: Float
    /// The weight of D₁ in the second-order midpoint update (half the first-order weight).
    let midpoint: Float
    /// The weight of D₁ in the second-order Heun update and the third-order updates (the φ₂ term).
    let secondOrder: Float
    /// The weight of D₂ in the third-order updates (the φ₃ term).
    let thirdOrder: Float
    /// The weight of the fresh noise of the SDE solver, nil for the ODE solvers.
    let noiseScale: Float?

    init(_ algorithm: DPMSolverAlgorithm, target: NoiseLevel, base: NoiseLevel, h: Float) {
        switch algorithm {
        case .dpmSolverPlusPlus:
            let phi1 = target.alpha * (exp(-h) - 1)
            sampleScale = target.sigma / base.sigma
            firstOrder = -phi1
            midpoint = -(0.5 * phi1)
            secondOrder = target.alpha * ((exp(-h) - 1) / h + 1)
            thirdOrder = -(target.alpha * ((exp(-h) - 1 + h) / (h * h) - 0.5))
            noiseScale = nil
        case .dpmSolver:
            let phi1 = target.sigma * (exp(h) - 1)
            sampleScale = target.alpha / base.alpha
            firstOrder = -phi1
            midpoint = -(0.5 * phi1)
            secondOrder = -(target.sigma * ((exp(h) - 1) / h - 1))
            thirdOrder = -(target.sigma * ((exp(h) - 1 - h) / (h * h) - 0.5))
            noiseScale = nil
        case .sdeDPMSolverPlusPlus:
            let decay = 1 - exp(-2 * h)
            sampleScale = target.sigma / base.sigma * exp(-h)
            firstOrder = target.alpha * decay
            midpoint = 0.5 * (target.alpha * decay)
            secondOrder = target.alpha * (decay / (-2 * h) + 1)
            thirdOrder = target.alpha * ((decay - 2 * h) / ((2 * h) * (2 * h)) - 0.5)
            noiseScale = target.sigma * decay.squareRoot()
        }
    }

    /// The second-order update of `sample` at `base` over h to `target`: D₁ = (m₀ − m₁)/(h₀/h), the difference of
    /// the outputs `newer` and `older` h₀ apart in λ, weighted as `solverType` asks, and D₀ = `d0`.
    static func secondOrderUpdate(_ algorithm: DPMSolverAlgorithm, _ solverType: DPMSolverType, sample: Tensor,
                                  target: NoiseLevel, base: NoiseLevel, h: Float, h0: Float, newer m0: Tensor,
                                  older m1: Tensor, d0: Tensor, noise: Tensor?) -> Tensor {
        let d1 = Tensor.scaledDifference(1 / (h0 / h), m0, m1)
        let weights = DPMSolverCoefficients(algorithm, target: target, base: base, h: h)
        let d1Weight = solverType == .midpoint ? weights.midpoint : weights.secondOrder
        return weights.update(sample: sample, d0: d0, [(d1Weight, d1)], noise: noise)
    }

    /// `sampleScale·sample + firstOrder·d0 + Σ weight·D + noiseScale·noise`, summed left to right.
    func update(sample: Tensor, d0: Tensor, _ differences: [(Float, Tensor)], noise: Tensor?) -> Tensor {
        let noiseTerm = zip([noiseScale].compactMap { $0 }, [noise].compactMap { $0 }).map { ($0, $1) }
        return Tensor.linearCombination([(sampleScale, sample), (firstOrder, d0)] + differences + noiseTerm)
    }
}
