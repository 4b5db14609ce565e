import ParadiffuseLoading
import ParadiffuseTensors

/// Denoising diffusion implicit models (Song et al. 2021): the non-Markovian sampler whose noise weight η runs
/// from deterministic (η = 0, an ODE) to DDPM's posterior variance (η = 1). Steps equal diffusers'
/// `DDIMScheduler`, including its previous timestep `t − T / n` (integer division) for every spacing.
/// Batched transitions equal `step` at each item's own timestep; diffusers' `DDIMParallelScheduler`
/// instead takes ᾱ of the final step to be 1 even when `set_alpha_to_one` is false.
public struct DDIMScheduler: ParallelScheduler, DDPMChainScheduler {
    public static let className = "DDIMScheduler"
    public static let supportedBetaSchedules: [BetaSchedule] = [.linear, .scaledLinear, .squaredcosCapV2]

    /// `scheduler_config.json`, with diffusers' defaults.
    public struct Configuration: DDPMChainConfiguration, TimestepSpacingConfiguration {
        public var noiseSchedule = NoiseSchedule.Configuration()
        public var sampleLimit = PredictedSampleLimit.Configuration(clipSample: true)
        /// Whether ᾱ before the first training timestep is 1 (otherwise ᾱ_0).
        public var setAlphaToOne = true
        public var predictionType = PredictionType.epsilon
        public var timestepPlacement = TimestepPlacement(.leading)

        public init() {}

        public static var keys: [ConfigurationKey<Self>] {
            [.noiseSchedule(\.noiseSchedule, supported: DDIMScheduler.supportedBetaSchedules), .group(\.sampleLimit),
             .value("set_alpha_to_one", \.setAlphaToOne), .choice("prediction_type", \.predictionType),
             .group(\.timestepPlacement)]
        }
    }

    /// The per-timestep scalars of one step, in float32 as diffusers computes them.
    private struct StepCoefficients {
        let scales: ChainScales
        let previousSignalScale: Float  // √ᾱ_prev
        /// √(1 − ᾱ_prev − σ_t²), the weight of the predicted noise.
        let directionScale: Float
        /// β̃_t = (1 − ᾱ_prev)/(1 − ᾱ_t) · (1 − ᾱ_t/ᾱ_prev).
        let posteriorVariance: Float
        /// σ_t = η·√β̃_t.
        let standardDeviation: Float
    }

    public let configuration: Configuration
    public let options: StepOptions
    private let chain: DDPMChainSetup
    /// ᾱ "before" timestep 0, used by the last step.
    private let finalAlphaCumprod: Float
    public private(set) var timesteps: [Int]
    private var inferenceStepCount: Int?

    public var noiseSchedule: NoiseSchedule { chain.noiseSchedule }
    public var isODE: Bool { options.eta == 0 }

    public init(configuration: Configuration = Configuration(), options: StepOptions = StepOptions()) throws {
        guard options.eta >= 0, options.eta.isFinite else {
            throw SchedulerError.invalidParameter(scheduler: Self.className, parameter: "eta",
                                                  reason: "must be a finite number ≥ 0, got \(options.eta)")
        }
        self.configuration = configuration
        self.options = options
        chain = try DDPMChainSetup(configuration, supported: Self.supportedBetaSchedules, scheduler: Self.className)
        finalAlphaCumprod = configuration.setAlphaToOne ? 1 : chain.noiseSchedule.alphasCumprod[0]
        timesteps = chain.trainingTimesteps
    }

    public init(configuration: Configuration) throws {
        try self.init(configuration: configuration, options: StepOptions())
    }

    /// The scheduler `config` describes, stepping with `options`; a value it cannot use is an error naming the file
    /// and key.
    public init(config: JSONConfig, options: StepOptions = StepOptions()) throws {
        self = try config.validating {
            try DDIMScheduler(configuration: Configuration(config, scheduler: Self.className), options: options)
        }
    }

    public static func make(configuration: Configuration, options: StepOptions) throws -> Self {
        try Self(configuration: configuration, options: options)
    }

    public mutating func setTimesteps(_ count: Int) throws {
        timesteps = try configuration.timestepSpacing.timesteps(
            count: count, trainTimesteps: noiseSchedule.numTrainTimesteps, stepsOffset: configuration.stepsOffset,
            scheduler: Self.className)
        inferenceStepCount = count
    }

    public mutating func step(modelOutput: Tensor, timestep: Int, sample: Tensor,
                              noise: NoiseSource) throws -> Tensor {
        try checkShape(of: modelOutput, against: sample)
        let coefficients = try stepCoefficients(at: timestep)
        let mean = transition(modelOutput, sample: sample,
                              coefficients: Array(repeating: coefficients, count: sample.batchSize))
        guard drawsNoise(at: timestep) else { return mean }
        let standardNormal = try SolverSchedule.draw(noise, like: sample, scheduler: Self.className)
        let scale = coefficients.standardDeviation
        return mean.zipMap(standardNormal) { mean, z in mean + scale * z }
    }

    // MARK: Parallel sampling

    public func drawsNoise(at timestep: Int) -> Bool { options.eta > 0 }

    public func noiseScale(at timestep: Int) throws -> Float {
        try stepCoefficients(at: timestep).standardDeviation
    }

    public func posteriorStandardDeviation(at timestep: Int) throws -> Float {
        try stepCoefficients(at: timestep).posteriorVariance.squareRoot()
    }

    public func transitionWithoutNoise(modelOutput: Tensor, sample: Tensor, timesteps: [Int]) throws -> Tensor {
        try checkShape(of: modelOutput, against: sample)
        let itemTimesteps = try timestepsPerItem(timesteps, batchSize: sample.batchSize, scheduler: Self.className)
        return transition(modelOutput, sample: sample, coefficients: try itemTimesteps.map(stepCoefficients(at:)))
    }

    // MARK: Step math

    /// `√ᾱ_prev · x̂₀ + √(1 − ᾱ_prev − σ_t²) · ε̂` for each item, x̂₀ clipped or thresholded.
    private func transition(_ modelOutput: Tensor, sample: Tensor, coefficients: [StepCoefficients]) -> Tensor {
        let scales = coefficients.map(\.scales)
        let originalSample = chain.originalSample(modelOutput, sample: sample, scales: scales)
        let noise = options.useClippedModelOutput
            ? PredictionType.noise(fromOriginalSample: originalSample, sample: sample,
                                   signalScales: scales.map(\.signal), noiseScales: scales.map(\.noise))
            : chain.noise(modelOutput, sample: sample, scales: scales)
        return originalSample.zipMapItems(noise) { item, x0, epsilon in
            coefficients[item].previousSignalScale * x0 + coefficients[item].directionScale * epsilon
        }
    }

    private func stepCoefficients(at timestep: Int) throws -> StepCoefficients {
        guard let inferenceStepCount else { throw SchedulerError.timestepsNotSet(scheduler: Self.className) }
        guard (0..<noiseSchedule.numTrainTimesteps).contains(timestep) else {
            throw SchedulerError.timestepOutOfRange(scheduler: Self.className, timestep: timestep,
                                                    trainTimesteps: noiseSchedule.numTrainTimesteps)
        }
        let previous = timestep - noiseSchedule.numTrainTimesteps / inferenceStepCount
        let alphaProd = noiseSchedule.alphasCumprod[timestep]
        let alphaProdPrevious = previous >= 0 ? noiseSchedule.alphasCumprod[previous] : finalAlphaCumprod
        let betaProd = 1 - alphaProd
        let betaProdPrevious = 1 - alphaProdPrevious
        let variance = (betaProdPrevious / betaProd) * (1 - alphaProd / alphaProdPrevious)
        let standardDeviation = Float(options.eta) * variance.squareRoot()
        return StepCoefficients(
            scales: ChainScales(alphaCumprod: alphaProd),
            previousSignalScale: alphaProdPrevious.squareRoot(),
            directionScale: (1 - alphaProdPrevious - standardDeviation * standardDeviation).squareRoot(),
            posteriorVariance: variance,
            standardDeviation: standardDeviation)
    }

    private func checkShape(of modelOutput: Tensor, against sample: Tensor) throws {
        guard modelOutput.shape == sample.shape, modelOutput.layout == sample.layout else {
            throw SchedulerError.shapeMismatch(scheduler: Self.className, parameter: "model_output",
                                               shape: modelOutput.shape, expected: "the sample's \(sample.shape)")
        }
    }
}
