import Foundation
import Loading
import Tensors

/// Heun's second-order method on the probability-flow ODE in σ (Karras et al. 2022, Algorithm 1), as diffusers'
/// `HeunDiscreteScheduler` runs it: an Euler step to σ_next, then a second model evaluation there and the step
/// again with the average of both slopes. The schedule interleaves the evaluations — keys 0, 1, 2, … are
/// `t₀, t₁, t₁, t₂, t₂, …, t_{n−1}` — and the last step, to σ = 0, is a plain Euler step.
///
/// Not a `ParallelScheduler`: a step needs two model evaluations, the second at the point the first produced.
public struct HeunDiscreteScheduler: Scheduler {
    public static let className = "HeunDiscreteScheduler"
    public static let supportedBetaSchedules: [BetaSchedule] = [.linear, .scaledLinear, .squaredcosCapV2]

    /// `scheduler_config.json`, with diffusers' defaults (Stable Diffusion's betas).
    public struct Configuration: Sendable, Equatable {
        public var noiseSchedule = NoiseSchedule.Configuration.stableDiffusionBetas
        public var predictionType = PredictionType.epsilon
        public var sigmaSpacing = SigmaSpacing.timesteps
        public var clipSample = false
        public var clipSampleRange = 1.0
        public var timestepSpacing = TimestepSpacing.linspace
        public var stepsOffset = 0

        public init() {}

        /// The keys Heun reads, as `HeunDiscreteScheduler.from_config` does: other keys (`rescale_betas_zero_snr`
        /// among them) are ignored, absent ones default, and options this engine lacks are errors naming the key.
        public init(_ config: JSONConfig) throws {
            let name = HeunDiscreteScheduler.className
            noiseSchedule = try .withStableDiffusionBetas(
                config, supported: HeunDiscreteScheduler.supportedBetaSchedules, scheduler: name)
            predictionType = try config.choice("prediction_type", default: predictionType,
                                               among: PredictionType.allCases, for: name)
            sigmaSpacing = try SigmaSpacing(config, scheduler: name)
            clipSample = try config.value("clip_sample", default: clipSample)
            clipSampleRange = try config.value("clip_sample_range", default: clipSampleRange)
            timestepSpacing = try config.choice("timestep_spacing", default: timestepSpacing,
                                                among: TimestepSpacing.allCases, for: name)
            stepsOffset = try config.value("steps_offset", default: stepsOffset)
        }
    }

    /// The first half of a step, kept for the second: the sample it started from, its slope and Δσ.
    private struct PendingStep: Sendable {
        let sample: Tensor
        let derivative: Tensor
        let sigmaStep: Float
    }

    public let configuration: Configuration
    public let noiseSchedule: NoiseSchedule
    /// σ per key: `σ₀, σ₁, σ₁, σ₂, σ₂, …, σ_{n−1}, σ_{n−1}, 0`.
    public private(set) var sigmas: [Float] = []
    /// diffusers' `timesteps`: `t₀, t₁, t₁, …, t_{n−1}`.
    public private(set) var modelTimesteps: [Float] = []
    private var pending: PendingStep?

    public var timesteps: [Int] { Array(modelTimesteps.indices) }
    public var order: Int { 2 }
    public var initNoiseSigma: Float { SigmaSchedule.initNoiseSigma(sigmas, spacing: configuration.timestepSpacing) }

    public init(configuration: Configuration = Configuration()) throws {
        self.configuration = configuration
        noiseSchedule = try NoiseSchedule(configuration.noiseSchedule, supported: Self.supportedBetaSchedules,
                                          scheduler: Self.className)
        try setTimesteps(noiseSchedule.numTrainTimesteps)
    }

    /// The scheduler `config` describes; a value it cannot use is an error naming the file and key.
    public init(config: JSONConfig) throws {
        self = try config.validating { try HeunDiscreteScheduler(configuration: Configuration(config)) }
    }

    public mutating func setTimesteps(_ count: Int) throws {
        let schedule = try SigmaSchedule(
            count: count, trainingSigmas: SigmaSchedule.trainingSigmas(noiseSchedule.alphasCumprod),
            spacing: configuration.timestepSpacing, stepsOffset: configuration.stepsOffset,
            sigmaSpacing: configuration.sigmaSpacing, scheduler: Self.className)
        let inner = schedule.sigmas.dropFirst().dropLast()
        sigmas = [schedule.sigmas[0]] + inner.flatMap { [$0, $0] } + [schedule.sigmas[schedule.sigmas.count - 1]]
        let stepTimesteps = schedule.timesteps.map { Float($0) }
        modelTimesteps = [stepTimesteps[0]] + stepTimesteps.dropFirst().flatMap { [$0, $0] }
        pending = nil
    }

    public func modelTimestep(at timestep: Int) -> Float { modelTimesteps[timestep] }

    public func scaleModelInput(_ sample: Tensor, timestep: Int) -> Tensor {
        SigmaParametrization.scaledModelInput(sample, sigma: sigmas[timestep])
    }

    public mutating func step(modelOutput: Tensor, timestep: Int, sample: Tensor,
                              noise: NoiseSource) throws -> Tensor {
        let index = try SigmaParametrization.checkedKey(timestep, count: modelTimesteps.count,
                                                        scheduler: Self.className)
        try SigmaParametrization.checkShape(of: modelOutput, "model_output", against: sample,
                                            scheduler: Self.className)
        guard let first = pending else {
            let sigma = sigmas[index], next = sigmas[index + 1]
            let derivative = slope(modelOutput, sample: sample, sigma: sigma)
            let sigmaStep = next - sigma
            pending = PendingStep(sample: sample, derivative: derivative, sigmaStep: sigmaStep)
            return sample.zipMap(derivative) { x, d in x + d * sigmaStep }
        }
        guard index >= 1 else {
            throw SchedulerError.invalidParameter(scheduler: Self.className, parameter: "timestep", reason:
                "0 cannot be the second evaluation of a step; call setTimesteps again")
        }
        pending = nil
        let second = slope(modelOutput, sample: sample, sigma: sigmas[index])
        let average = first.derivative.zipMap(second) { a, b in (a + b) / 2 }
        let sigmaStep = first.sigmaStep
        return first.sample.zipMap(average) { x, d in x + d * sigmaStep }
    }

    public func addNoise(original: Tensor, noise: Tensor, timesteps: [Int]) throws -> Tensor {
        let keys = try SigmaParametrization.checkedKeys(timesteps, batchSize: original.batchSize,
                                                        count: modelTimesteps.count, scheduler: Self.className)
        return try SigmaParametrization.addNoise(original: original, noise: noise, sigmas: keys.map { sigmas[$0] },
                                                 scheduler: Self.className)
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
