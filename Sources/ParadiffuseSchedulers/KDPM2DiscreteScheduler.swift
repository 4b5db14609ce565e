import Foundation
import ParadiffuseTensors

/// k-diffusion's DPM-Solver-2 ("DPM2"; Karras et al. 2022, Algorithm 1 with a midpoint in log σ), as diffusers'
/// `KDPM2DiscreteScheduler` runs it: an Euler step to the geometric mean σ_mid = √(σ·σ_next), a second model
/// evaluation there, and the step from σ to σ_next with the midpoint's slope. The schedule interleaves the
/// evaluations — keys 0, 1, 2, … are `t₀, t(σ_mid,1), t₁, t(σ_mid,2), …, t_{n−1}` — and the last step, to σ = 0,
/// is a plain Euler step.
///
/// Not a `ParallelScheduler`: a step needs two model evaluations, the second at the point the first produced.
public struct KDPM2DiscreteScheduler: SigmaScheduler {
    public static let className = "KDPM2DiscreteScheduler"
    public static let supportedPredictionTypes: [PredictionType] = [.epsilon, .vPrediction]
    /// Stable Diffusion's betas.
    public static let defaultNoiseSchedule = NoiseSchedule.Configuration.stableDiffusionBetas

    public typealias Configuration = SigmaSpacingConfiguration<Self>

    /// σ per key `σ₀, σ₁, σ₁, …, σ_{n−1}, σ_{n−1}, 0, 0, 0`.
    public private(set) var state: SigmaSchedulerState<Configuration>
    /// The midpoint σ per key, laid out as `sigmas`: entry `2j + 1` is the midpoint between σ_j and σ_{j+1}.
    public private(set) var midpointSigmas: [Float] = []
    /// The sample the current step started from, while its second evaluation is pending.
    private var pendingSample: Tensor?

    public var order: Int { 2 }

    public init(state: SigmaSchedulerState<Configuration>) {
        self.state = state
    }

    public mutating func start(_ schedule: SigmaSchedule) {
        let stepSigmas = schedule.sigmas
        // Each σ's midpoint with the σ before it (the first, with the final 0, is never used).
        let midpoints = stepSigmas.indices.map { index in
            SigmaSchedule.geometricMidpoint(stepSigmas[index], stepSigmas[index == 0 ? stepSigmas.count - 1 : index - 1])
        }
        state.sigmas = SigmaSchedule.interleaved(stepSigmas)
        midpointSigmas = SigmaSchedule.interleaved(midpoints)
        let stepTimesteps = schedule.timesteps.map {
            Float(configuration.sigmaSpacing == .karras ? $0.rounded(.toNearestOrEven) : $0)
        }
        let logSigmas = state.trainingSigmas.map { log($0) }
        let midpointTimesteps = midpoints.map { SigmaSchedule.float32Timestep(of: $0, logSigmas: logSigmas) }
        state.modelTimesteps = [stepTimesteps[0]]
            + (1..<stepTimesteps.count).flatMap { [midpointTimesteps[$0], stepTimesteps[$0]] }
        pendingSample = nil
    }

    public func scaleModelInput(_ sample: Tensor, timestep: Int) -> Tensor {
        let sigma = pendingSample == nil ? sigmas[timestep] : midpointSigmas[timestep]
        return SigmaParametrization.scaledModelInput(sample, sigma: sigma)
    }

    public mutating func step(modelOutput: Tensor, timestep: Int, sample: Tensor,
                              noise: NoiseSource) throws -> Tensor {
        let index = try stepIndex(timestep, modelOutput: modelOutput, sample: sample)
        let prediction = configuration.predictionType
        guard let start = pendingSample else {
            let sigma = sigmas[index], midpoint = midpointSigmas[index + 1]
            let originalSample = SigmaParametrization.predictedOriginalSample(
                prediction, modelOutput: modelOutput, sample: sample, sigmas: [sigma])
            pendingSample = sample
            return SigmaParametrization.eulerStep(sample: sample, originalSample: originalSample, sigmas: [sigma],
                                                  steps: [midpoint - sigma])
        }
        try checkSecondEvaluation(at: index)
        pendingSample = nil
        let sigma = sigmas[index - 1], midpoint = midpointSigmas[index], next = sigmas[index]
        let originalSample = SigmaParametrization.predictedOriginalSample(
            prediction, modelOutput: modelOutput, sample: sample, sigmas: [midpoint])
        let sigmaStep = next - sigma
        let derivative = sample.zipMap(originalSample) { x, x0 in (x - x0) / midpoint }
        return start.zipMap(derivative) { x, derivative in x + derivative * sigmaStep }
    }
}
