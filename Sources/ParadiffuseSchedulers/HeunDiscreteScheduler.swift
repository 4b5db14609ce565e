import Foundation
import ParadiffuseTensors

/// Heun's second-order method on the probability-flow ODE in σ (Karras et al. 2022, Algorithm 1), as diffusers'
/// `HeunDiscreteScheduler` runs it: an Euler step to σ_next, then a second model evaluation there and the step
/// again with the average of both slopes. The schedule interleaves the evaluations — keys 0, 1, 2, … are
/// `t₀, t₁, t₁, t₂, t₂, …, t_{n−1}` — and the last step, to σ = 0, is a plain Euler step.
///
/// Not a `ParallelScheduler`: a step needs two model evaluations, the second at the point the first produced.
public struct HeunDiscreteScheduler: SigmaScheduler {
    public static let className = "HeunDiscreteScheduler"

    /// `scheduler_config.json`, with diffusers' defaults (Stable Diffusion's betas).
    public struct Configuration: SigmaSchedulerConfiguration, SampleLimitConfiguration {
        public var noiseSchedule = NoiseSchedule.Configuration.stableDiffusionBetas
        public var predictionType = PredictionType.epsilon
        public var sigmaSpacing = SigmaSpacing.timesteps
        /// Clipping only: Heun has no thresholding.
        public var sampleLimit = PredictedSampleLimit.Configuration(clipSample: false)
        public var timestepPlacement = TimestepPlacement(.linspace)

        public init() {}

        /// Other keys (`rescale_betas_zero_snr` among them) are ignored.
        public static var keys: [ConfigurationKey<Self>] {
            sigmaSchedulerKeys(of: HeunDiscreteScheduler.self)
                + [.sigmaSpacing(\.sigmaSpacing),
                   .group(\.sampleLimit, keys: PredictedSampleLimit.Configuration.clippingKeys)]
        }
    }

    /// The first half of a step, kept for the second: the sample it started from, its slope and Δσ.
    private struct PendingStep: Sendable {
        let sample: Tensor
        let derivative: Tensor
        let sigmaStep: Float
    }

    /// σ per key `σ₀, σ₁, σ₁, σ₂, σ₂, …, σ_{n−1}, σ_{n−1}, 0`; model timesteps `t₀, t₁, t₁, …, t_{n−1}`.
    public private(set) var state: SigmaSchedulerState<Configuration>
    private var pending: PendingStep?

    public var order: Int { 2 }

    public init(state: SigmaSchedulerState<Configuration>) {
        self.state = state
    }

    public mutating func start(_ schedule: SigmaSchedule) {
        let inner = schedule.sigmas.dropFirst().dropLast()
        state.sigmas = [schedule.sigmas[0]] + inner.flatMap { [$0, $0] } + [schedule.sigmas[schedule.sigmas.count - 1]]
        let stepTimesteps = schedule.timesteps.map { Float($0) }
        state.modelTimesteps = [stepTimesteps[0]] + stepTimesteps.dropFirst().flatMap { [$0, $0] }
        pending = nil
    }

    public mutating func step(modelOutput: Tensor, timestep: Int, sample: Tensor,
                              noise: NoiseSource) throws -> Tensor {
        let index = try stepIndex(timestep, modelOutput: modelOutput, sample: sample)
        guard let first = pending else {
            let sigma = sigmas[index], next = sigmas[index + 1]
            let derivative = slope(modelOutput, sample: sample, sigma: sigma)
            let sigmaStep = next - sigma
            pending = PendingStep(sample: sample, derivative: derivative, sigmaStep: sigmaStep)
            return sample.zipMap(derivative) { x, d in x + d * sigmaStep }
        }
        try checkSecondEvaluation(at: index)
        pending = nil
        let second = slope(modelOutput, sample: sample, sigma: sigmas[index])
        let average = first.derivative.zipMap(second) { a, b in (a + b) / 2 }
        let sigmaStep = first.sigmaStep
        return first.sample.zipMap(average) { x, d in x + d * sigmaStep }
    }

    /// (x − x̂₀)/σ with x̂₀ clipped if the configuration asks.
    private func slope(_ modelOutput: Tensor, sample: Tensor, sigma: Float) -> Tensor {
        var originalSample = SigmaParametrization.predictedOriginalSample(
            configuration.predictionType, modelOutput: modelOutput, sample: sample, sigmas: [sigma])
        if configuration.clipSample {
            let range = Float(configuration.clipSampleRange)
            originalSample = originalSample.map { min(max($0, -range), range) }
        }
        return sample.zipMap(originalSample) { x, x0 in (x - x0) / sigma }
    }
}
