import Foundation
import Loading
import Tensors

/// k-diffusion's DPM-Solver-2 ("DPM2"; Karras et al. 2022, Algorithm 1 with a midpoint in log σ), as diffusers'
/// `KDPM2DiscreteScheduler` runs it: an Euler step to the geometric mean σ_mid = √(σ·σ_next), a second model
/// evaluation there, and the step from σ to σ_next with the midpoint's slope. The schedule interleaves the
/// evaluations — keys 0, 1, 2, … are `t₀, t(σ_mid,1), t₁, t(σ_mid,2), …, t_{n−1}` — and the last step, to σ = 0,
/// is a plain Euler step.
///
/// Not a `ParallelScheduler`: a step needs two model evaluations, the second at the point the first produced.
public struct KDPM2DiscreteScheduler: Scheduler {
    public static let className = "KDPM2DiscreteScheduler"
    public static let supportedBetaSchedules: [BetaSchedule] = [.linear, .scaledLinear, .squaredcosCapV2]
    public static let supportedPredictionTypes: [PredictionType] = [.epsilon, .vPrediction]

    /// `scheduler_config.json`, with diffusers' defaults (Stable Diffusion's betas).
    public struct Configuration: Sendable, Equatable {
        public var noiseSchedule = NoiseSchedule.Configuration.stableDiffusionBetas
        public var predictionType = PredictionType.epsilon
        public var sigmaSpacing = SigmaSpacing.timesteps
        public var timestepSpacing = TimestepSpacing.linspace
        public var stepsOffset = 0

        public init() {}

        /// The keys KDPM2 reads, as `KDPM2DiscreteScheduler.from_config` does: other keys (`rescale_betas_zero_snr`
        /// among them) are ignored, absent ones default, and options this engine lacks are errors naming the key.
        public init(_ config: JSONConfig) throws {
            let name = KDPM2DiscreteScheduler.className
            noiseSchedule = try .withStableDiffusionBetas(
                config, supported: KDPM2DiscreteScheduler.supportedBetaSchedules, scheduler: name)
            predictionType = try config.choice("prediction_type", default: predictionType,
                                               among: KDPM2DiscreteScheduler.supportedPredictionTypes, for: name)
            sigmaSpacing = try SigmaSpacing(config, scheduler: name)
            timestepSpacing = try config.choice("timestep_spacing", default: timestepSpacing,
                                                among: TimestepSpacing.allCases, for: name)
            stepsOffset = try config.value("steps_offset", default: stepsOffset)
        }
    }

    public let configuration: Configuration
    public let noiseSchedule: NoiseSchedule
    /// σ per key: `σ₀, σ₁, σ₁, …, σ_{n−1}, σ_{n−1}, 0, 0, 0`.
    public private(set) var sigmas: [Float] = []
    /// The midpoint σ per key, laid out as `sigmas`: entry `2j + 1` is the midpoint between σ_j and σ_{j+1}.
    public private(set) var midpointSigmas: [Float] = []
    /// diffusers' `timesteps`.
    public private(set) var modelTimesteps: [Float] = []
    /// The sample the current step started from, while its second evaluation is pending.
    private var pendingSample: Tensor?

    public var timesteps: [Int] { Array(modelTimesteps.indices) }
    public var order: Int { 2 }
    public var initNoiseSigma: Float { SigmaSchedule.initNoiseSigma(sigmas, spacing: configuration.timestepSpacing) }

    public init(configuration: Configuration = Configuration()) throws {
        guard Self.supportedPredictionTypes.contains(configuration.predictionType) else {
            throw SchedulerError.unsupportedChoice(
                scheduler: Self.className, parameter: "prediction_type", value: configuration.predictionType.rawValue,
                supported: Self.supportedPredictionTypes.map(\.rawValue))
        }
        self.configuration = configuration
        noiseSchedule = try NoiseSchedule(configuration.noiseSchedule, supported: Self.supportedBetaSchedules,
                                          scheduler: Self.className)
        try setTimesteps(noiseSchedule.numTrainTimesteps)
    }

    /// The scheduler `config` describes; a value it cannot use is an error naming the file and key.
    public init(config: JSONConfig) throws {
        self = try config.validating { try KDPM2DiscreteScheduler(configuration: Configuration(config)) }
    }

    public mutating func setTimesteps(_ count: Int) throws {
        let trainingSigmas = SigmaSchedule.trainingSigmas(noiseSchedule.alphasCumprod)
        let schedule = try SigmaSchedule(
            count: count, trainingSigmas: trainingSigmas, spacing: configuration.timestepSpacing,
            stepsOffset: configuration.stepsOffset, sigmaSpacing: configuration.sigmaSpacing,
            scheduler: Self.className)
        let stepSigmas = schedule.sigmas
        // Each σ's midpoint with the σ before it (the first, with the final 0, is never used).
        let midpoints = stepSigmas.indices.map { index in
            SigmaSchedule.geometricMidpoint(stepSigmas[index], stepSigmas[index == 0 ? stepSigmas.count - 1 : index - 1])
        }
        sigmas = SigmaSchedule.interleaved(stepSigmas)
        midpointSigmas = SigmaSchedule.interleaved(midpoints)
        let stepTimesteps = schedule.timesteps.map {
            Float(configuration.sigmaSpacing == .karras ? $0.rounded(.toNearestOrEven) : $0)
        }
        let logSigmas = trainingSigmas.map { log($0) }
        let midpointTimesteps = midpoints.map { SigmaSchedule.float32Timestep(of: $0, logSigmas: logSigmas) }
        modelTimesteps = [stepTimesteps[0]]
            + (1..<stepTimesteps.count).flatMap { [midpointTimesteps[$0], stepTimesteps[$0]] }
        pendingSample = nil
    }

    public func modelTimestep(at timestep: Int) -> Float { modelTimesteps[timestep] }

    public func scaleModelInput(_ sample: Tensor, timestep: Int) -> Tensor {
        let sigma = pendingSample == nil ? sigmas[timestep] : midpointSigmas[timestep]
        return SigmaParametrization.scaledModelInput(sample, sigma: sigma)
    }

    public mutating func step(modelOutput: Tensor, timestep: Int, sample: Tensor,
                              noise: NoiseSource) throws -> Tensor {
        let index = try SigmaParametrization.checkedKey(timestep, count: modelTimesteps.count,
                                                        scheduler: Self.className)
        try SigmaParametrization.checkShape(of: modelOutput, "model_output", against: sample,
                                            scheduler: Self.className)
        let prediction = configuration.predictionType
        guard let start = pendingSample else {
            let sigma = sigmas[index], midpoint = midpointSigmas[index + 1]
            let originalSample = SigmaParametrization.predictedOriginalSample(
                prediction, modelOutput: modelOutput, sample: sample, sigmas: [sigma])
            pendingSample = sample
            return SigmaParametrization.eulerStep(sample: sample, originalSample: originalSample, sigmas: [sigma],
                                                  steps: [midpoint - sigma])
        }
        guard index >= 1 else {
            throw SchedulerError.invalidParameter(scheduler: Self.className, parameter: "timestep", reason:
                "0 cannot be the second evaluation of a step; call setTimesteps again")
        }
        pendingSample = nil
        let sigma = sigmas[index - 1], midpoint = midpointSigmas[index], next = sigmas[index]
        let originalSample = SigmaParametrization.predictedOriginalSample(
            prediction, modelOutput: modelOutput, sample: sample, sigmas: [midpoint])
        let sigmaStep = next - sigma
        let derivative = sample.zipMap(originalSample) { x, x0 in (x - x0) / midpoint }
        return start.zipMap(derivative) { x, derivative in x + derivative * sigmaStep }
    }

    public func addNoise(original: Tensor, noise: Tensor, timesteps: [Int]) throws -> Tensor {
        let keys = try SigmaParametrization.checkedKeys(timesteps, batchSize: original.batchSize,
                                                        count: modelTimesteps.count, scheduler: Self.className)
        return try SigmaParametrization.addNoise(original: original, noise: noise, sigmas: keys.map { sigmas[$0] },
                                                 scheduler: Self.className)
    }
}
