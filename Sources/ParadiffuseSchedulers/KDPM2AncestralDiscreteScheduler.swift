import Foundation
import ParadiffuseTensors

/// The ancestral DPM-Solver-2 of k-diffusion ("DPM2 a"), as diffusers' `KDPM2AncestralDiscreteScheduler` runs it:
/// each step splits σ_next into σ_down and fresh noise σ_up (σ_up² = σ_next²·(σ² − σ_next²)/σ², the DDPM
/// posterior variance; σ_down² + σ_up² = σ_next²), takes an Euler step to the geometric mean √(σ·σ_down), evaluates
/// the model there, steps from σ to σ_down with that slope and adds σ_up·z. Keys 0, 1, 2, … are
/// `t₀, t(σ_mid,0), t₁, t(σ_mid,1), …, t_{n−1}`; noise is drawn at the second evaluation of each step only, and the
/// last step, to σ = 0, is a plain Euler step.
///
/// Not a `ParallelScheduler`: a step needs two model evaluations, the second at the point the first produced,
/// and adds fresh noise.
public struct KDPM2AncestralDiscreteScheduler: SigmaScheduler {
    public static let className = "KDPM2AncestralDiscreteScheduler"
    public static let supportedPredictionTypes: [PredictionType] = [.epsilon, .vPrediction]
    /// Stable Diffusion's betas.
    public static let defaultNoiseSchedule = NoiseSchedule.Configuration.stableDiffusionBetas

    public typealias Configuration = SigmaSpacingConfiguration<Self>

    /// The noise levels of one step of the run.
    private struct StepSigmas {
        let sigma: Float
        /// √(σ·σ_down); 0 for the last step.
        let midpoint: Float
        let up: Float
        let down: Float
    }

    /// σ per key `σ₀, σ₁, σ₁, …, σ_{n−1}, σ_{n−1}, 0, 0, 0`.
    public private(set) var state: SigmaSchedulerState<Configuration>
    private var steps: [StepSigmas] = []
    /// The sample the current step started from, while its second evaluation is pending.
    private var pendingSample: Tensor?

    public var order: Int { 2 }

    public init(state: SigmaSchedulerState<Configuration>) {
        self.state = state
    }

    public mutating func start(_ schedule: SigmaSchedule) {
        let stepSigmas = schedule.sigmas.dropLast()
        steps = stepSigmas.indices.map { index in
            let sigma = schedule.sigmas[index]
            let (up, down) = SigmaParametrization.ancestralSigmas(from: sigma, to: schedule.sigmas[index + 1])
            let midpoint = index == stepSigmas.count - 1 ? 0 : SigmaSchedule.geometricMidpoint(sigma, down)
            return StepSigmas(sigma: sigma, midpoint: midpoint, up: up, down: down)
        }
        state.sigmas = SigmaSchedule.interleaved(schedule.sigmas)
        let stepTimesteps = schedule.timesteps.map {
            Float(configuration.sigmaSpacing == .karras ? $0.rounded(.toNearestOrEven) : $0)
        }
        let logSigmas = state.trainingSigmas.map { log($0) }
        state.modelTimesteps = [stepTimesteps[0]] + (1..<stepTimesteps.count).flatMap { index in
            [SigmaSchedule.float32Timestep(of: steps[index - 1].midpoint, logSigmas: logSigmas), stepTimesteps[index]]
        }
        pendingSample = nil
    }

    public func scaleModelInput(_ sample: Tensor, timestep: Int) -> Tensor {
        let step = steps[timestep / 2]
        return SigmaParametrization.scaledModelInput(sample, sigma: pendingSample == nil ? step.sigma : step.midpoint)
    }

    public mutating func step(modelOutput: Tensor, timestep: Int, sample: Tensor,
                              noise: NoiseSource) throws -> Tensor {
        let index = try stepIndex(timestep, modelOutput: modelOutput, sample: sample)
        let prediction = configuration.predictionType
        let step = steps[index / 2]
        guard let start = pendingSample else {
            let originalSample = SigmaParametrization.predictedOriginalSample(
                prediction, modelOutput: modelOutput, sample: sample, sigmas: [step.sigma])
            pendingSample = sample
            return SigmaParametrization.eulerStep(sample: sample, originalSample: originalSample,
                                                  sigmas: [step.sigma], steps: [step.midpoint - step.sigma])
        }
        pendingSample = nil
        let originalSample = SigmaParametrization.predictedOriginalSample(
            prediction, modelOutput: modelOutput, sample: sample, sigmas: [step.midpoint])
        let midpoint = step.midpoint, sigmaStep = step.down - step.sigma, up = step.up
        let derivative = sample.zipMap(originalSample) { x, x0 in (x - x0) / midpoint }
        let drift = start.zipMap(derivative) { x, derivative in x + derivative * sigmaStep }
        let drawn = try draw(noise, like: sample)
        return drift.zipMap(drawn) { x, z in x + z * up }
    }
}
