import Foundation
import Loading
import Tensors

/// The ancestral DPM-Solver-2 of k-diffusion ("DPM2 a"), as diffusers' `KDPM2AncestralDiscreteScheduler` runs it:
/// each step splits σ_next into σ_down and fresh noise σ_up (σ_up² = σ_next²·(σ² − σ_next²)/σ², the DDPM
/// posterior variance; σ_down² + σ_up² = σ_next²), takes an Euler step to the geometric mean √(σ·σ_down), evaluates
/// the model there, steps from σ to σ_down with that slope and adds σ_up·z. Keys 0, 1, 2, … are
/// `t₀, t(σ_mid,0), t₁, t(σ_mid,1), …, t_{n−1}`; noise is drawn at the second evaluation of each step only, and the
/// last step, to σ = 0, is a plain Euler step.
///
/// Not a `ParallelScheduler`: a step needs two model evaluations, the second at the point the first produced,
/// and adds fresh noise.
public struct KDPM2AncestralDiscreteScheduler: Scheduler {
    public static let className = "KDPM2AncestralDiscreteScheduler"
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

        /// The keys KDPM2 a reads, as `KDPM2AncestralDiscreteScheduler.from_config` does: other keys
        /// (`rescale_betas_zero_snr` among them) are ignored, absent ones default, and options this engine lacks are
        /// errors naming the key.
        public init(_ config: JSONConfig) throws {
            let name = KDPM2AncestralDiscreteScheduler.className
            noiseSchedule = try .withStableDiffusionBetas(
                config, supported: KDPM2AncestralDiscreteScheduler.supportedBetaSchedules, scheduler: name)
            predictionType = try config.choice("prediction_type", default: predictionType,
                                               among: KDPM2AncestralDiscreteScheduler.supportedPredictionTypes,
                                               for: name)
            sigmaSpacing = try SigmaSpacing(config, scheduler: name)
            timestepSpacing = try config.choice("timestep_spacing", default: timestepSpacing,
                                                among: TimestepSpacing.allCases, for: name)
            stepsOffset = try config.value("steps_offset", default: stepsOffset)
        }
    }

    /// The noise levels of one step of the run.
    private struct StepSigmas {
        let sigma: Float
        /// √(σ·σ_down); 0 for the last step.
        let midpoint: Float
        let up: Float
        let down: Float
    }

    public let configuration: Configuration
    public let noiseSchedule: NoiseSchedule
    /// σ per key: `σ₀, σ₁, σ₁, …, σ_{n−1}, σ_{n−1}, 0, 0, 0`.
    public private(set) var sigmas: [Float] = []
    /// diffusers' `timesteps`.
    public private(set) var modelTimesteps: [Float] = []
    private var steps: [StepSigmas] = []
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
        self = try config.validating { try KDPM2AncestralDiscreteScheduler(configuration: Configuration(config)) }
    }

    public mutating func setTimesteps(_ count: Int) throws {
        let trainingSigmas = SigmaSchedule.trainingSigmas(noiseSchedule.alphasCumprod)
        let schedule = try SigmaSchedule(
            count: count, trainingSigmas: trainingSigmas, spacing: configuration.timestepSpacing,
            stepsOffset: configuration.stepsOffset, sigmaSpacing: configuration.sigmaSpacing,
            scheduler: Self.className)
        let stepSigmas = schedule.sigmas.dropLast()
        steps = stepSigmas.indices.map { index in
            let sigma = schedule.sigmas[index], next = schedule.sigmas[index + 1]
            let up = (next * next * (sigma * sigma - next * next) / (sigma * sigma)).squareRoot()
            let down = (next * next - up * up).squareRoot()
            let midpoint = index == stepSigmas.count - 1 ? 0 : SigmaSchedule.geometricMidpoint(sigma, down)
            return StepSigmas(sigma: sigma, midpoint: midpoint, up: up, down: down)
        }
        sigmas = SigmaSchedule.interleaved(schedule.sigmas)
        let stepTimesteps = schedule.timesteps.map {
            Float(configuration.sigmaSpacing == .karras ? $0.rounded(.toNearestOrEven) : $0)
        }
        let logSigmas = trainingSigmas.map { log($0) }
        modelTimesteps = [stepTimesteps[0]] + (1..<stepTimesteps.count).flatMap { index in
            [SigmaSchedule.float32Timestep(of: steps[index - 1].midpoint, logSigmas: logSigmas), stepTimesteps[index]]
        }
        pendingSample = nil
    }

    public func modelTimestep(at timestep: Int) -> Float { modelTimesteps[timestep] }

    public func scaleModelInput(_ sample: Tensor, timestep: Int) -> Tensor {
        let step = steps[timestep / 2]
        return SigmaParametrization.scaledModelInput(sample, sigma: pendingSample == nil ? step.sigma : step.midpoint)
    }

    public mutating func step(modelOutput: Tensor, timestep: Int, sample: Tensor,
                              noise: NoiseSource) throws -> Tensor {
        let index = try SigmaParametrization.checkedKey(timestep, count: modelTimesteps.count,
                                                        scheduler: Self.className)
        try SigmaParametrization.checkShape(of: modelOutput, "model_output", against: sample,
                                            scheduler: Self.className)
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
        let drawn = noise(modelOutput.shape)
        try SigmaParametrization.checkShape(of: drawn, "noise", against: sample, scheduler: Self.className)
        return drift.zipMap(drawn) { x, z in x + z * up }
    }

    public func addNoise(original: Tensor, noise: Tensor, timesteps: [Int]) throws -> Tensor {
        let keys = try SigmaParametrization.checkedKeys(timesteps, batchSize: original.batchSize,
                                                        count: modelTimesteps.count, scheduler: Self.className)
        return try SigmaParametrization.addNoise(original: original, noise: noise, sigmas: keys.map { sigmas[$0] },
                                                 scheduler: Self.className)
    }
}
