import Foundation
import Loading
import Tensors

/// Ancestral sampling with Euler steps ("Euler a"), as diffusers' `EulerAncestralDiscreteScheduler` runs it: each
/// step takes an Euler step from σ down to σ_down and adds fresh noise of standard deviation σ_up, where
/// σ_up² = σ_next²·(σ² − σ_next²)/σ² is the DDPM posterior variance and σ_down² + σ_up² = σ_next².
///
/// Not a `ParallelScheduler`: every step adds new noise, so a run is an SDE; the noise could be pre-drawn, but the
/// parallel samplers' error test is tuned for the ODE and DDPM schedulers and Euler a is not part of them yet.
public struct EulerAncestralDiscreteScheduler: Scheduler {
    public static let className = "EulerAncestralDiscreteScheduler"
    public static let supportedBetaSchedules: [BetaSchedule] = [.linear, .scaledLinear, .squaredcosCapV2]
    public static let supportedPredictionTypes: [PredictionType] = [.epsilon, .vPrediction]

    /// `scheduler_config.json`, with diffusers' defaults.
    public struct Configuration: Sendable, Equatable {
        public var noiseSchedule = NoiseSchedule.Configuration()
        public var predictionType = PredictionType.epsilon
        public var timestepSpacing = TimestepSpacing.linspace
        public var stepsOffset = 0

        public init() {}

        /// The keys Euler a reads, as `EulerAncestralDiscreteScheduler.from_config` does: other keys are ignored,
        /// absent ones default, and options this engine lacks are errors naming the key.
        public init(_ config: JSONConfig) throws {
            let name = EulerAncestralDiscreteScheduler.className
            noiseSchedule = try NoiseSchedule.Configuration(
                config, supported: EulerAncestralDiscreteScheduler.supportedBetaSchedules, scheduler: name)
            predictionType = try config.choice("prediction_type", default: predictionType,
                                               among: EulerAncestralDiscreteScheduler.supportedPredictionTypes,
                                               for: name)
            timestepSpacing = try config.choice("timestep_spacing", default: timestepSpacing,
                                                among: TimestepSpacing.allCases, for: name)
            stepsOffset = try config.value("steps_offset", default: stepsOffset)
        }
    }

    public let configuration: Configuration
    public let noiseSchedule: NoiseSchedule
    /// ᾱ_t as diffusers uses it: with zero terminal SNR its last value is 2⁻²⁴ rather than 0.
    public let alphasCumprod: [Float]
    /// σ of each step, then 0.
    public private(set) var sigmas: [Float] = []
    /// diffusers' `timesteps`: what the model is conditioned on at each step.
    public private(set) var modelTimesteps: [Float] = []

    public var timesteps: [Int] { Array(modelTimesteps.indices) }
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
        var alphasCumprod = noiseSchedule.alphasCumprod
        if configuration.noiseSchedule.rescaleBetasZeroSNR { alphasCumprod[alphasCumprod.count - 1] = 0x1p-24 }
        self.alphasCumprod = alphasCumprod
        try setTimesteps(noiseSchedule.numTrainTimesteps)
    }

    /// The scheduler `config` describes; a value it cannot use is an error naming the file and key.
    public init(config: JSONConfig) throws {
        self = try config.validating { try EulerAncestralDiscreteScheduler(configuration: Configuration(config)) }
    }

    public mutating func setTimesteps(_ count: Int) throws {
        let schedule = try SigmaSchedule(
            count: count, trainingSigmas: SigmaSchedule.trainingSigmas(alphasCumprod),
            spacing: configuration.timestepSpacing, stepsOffset: configuration.stepsOffset, sigmaSpacing: .timesteps,
            scheduler: Self.className)
        sigmas = schedule.sigmas
        modelTimesteps = schedule.timesteps.map { Float($0) }
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
        let sigma = sigmas[index], next = sigmas[index + 1]
        let up = (next * next * (sigma * sigma - next * next) / (sigma * sigma)).squareRoot()
        let down = (next * next - up * up).squareRoot()
        let originalSample = SigmaParametrization.predictedOriginalSample(
            configuration.predictionType, modelOutput: modelOutput, sample: sample, sigmas: [sigma])
        let drift = SigmaParametrization.eulerStep(sample: sample, originalSample: originalSample, sigmas: [sigma],
                                                   steps: [down - sigma])
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
