import Foundation
import ParadiffuseLoading
import ParadiffuseTensors

/// Denoising diffusion probabilistic models (Ho et al. 2020): ancestral sampling of the reverse Markov chain.
/// Steps equal diffusers' `DDPMScheduler`; batched transitions equal its `step` at each item's own timestep
/// (diffusers' `DDPMParallelScheduler.batch_step_no_noise` assumes evenly strided timesteps, which `trailing`
/// and `linspace` spacing and custom timesteps are not).
public struct DDPMScheduler: ParallelScheduler, DDPMChainScheduler {
    public static let className = "DDPMScheduler"
    public static let supportedBetaSchedules = BetaSchedule.allCases

    /// `scheduler_config.json`, with diffusers' defaults.
    public struct Configuration: DDPMChainConfiguration, TimestepSpacingConfiguration {
        public var noiseSchedule = NoiseSchedule.Configuration()
        public var varianceType = DDPMVarianceType.fixedSmall
        public var sampleLimit = PredictedSampleLimit.Configuration(clipSample: true)
        public var predictionType = PredictionType.epsilon
        public var timestepPlacement = TimestepPlacement(.leading)

        public init() {}

        public static var keys: [ConfigurationKey<Self>] {
            [.noiseSchedule(\.noiseSchedule, supported: DDPMScheduler.supportedBetaSchedules),
             .choice("variance_type", \.varianceType), .group(\.sampleLimit),
             .choice("prediction_type", \.predictionType), .group(\.timestepPlacement)]
        }
    }

    /// The per-timestep scalars of one step, in float32 as diffusers computes them.
    private struct StepCoefficients {
        let scales: ChainScales
        let originalSampleCoefficient: Float
        let currentSampleCoefficient: Float
        /// β̃_t, clamped away from 0 for its logarithm.
        let posteriorVariance: Float
        /// β_t between this timestep and the previous one.
        let currentBeta: Float
    }

    public let configuration: Configuration
    private let chain: DDPMChainSetup
    public private(set) var timesteps: [Int] = []
    /// The timestep after each one in `timesteps` (−1 after the last); the first occurrence wins, as in diffusers.
    private var previousTimesteps: [Int: Int] = [:]

    public var noiseSchedule: NoiseSchedule { chain.noiseSchedule }
    public var isODE: Bool { false }

    public init(configuration: Configuration = Configuration()) throws {
        self.configuration = configuration
        chain = try DDPMChainSetup(configuration, supported: Self.supportedBetaSchedules, scheduler: Self.className)
        useTimesteps(chain.trainingTimesteps)
    }

    public mutating func setTimesteps(_ count: Int) throws {
        useTimesteps(try configuration.timestepSpacing.timesteps(
            count: count, trainTimesteps: noiseSchedule.numTrainTimesteps, stepsOffset: configuration.stepsOffset,
            scheduler: Self.className))
    }

    /// Uses `timesteps` as given (diffusers' `set_timesteps(timesteps=...)`): strictly descending, within the
    /// training schedule.
    public mutating func setTimesteps(custom timesteps: [Int]) throws {
        guard let first = timesteps.first, let last = timesteps.last else {
            throw SchedulerError.invalidCustomTimesteps(scheduler: Self.className, reason: "are empty")
        }
        guard zip(timesteps, timesteps.dropFirst()).allSatisfy({ $0 > $1 }) else {
            throw SchedulerError.invalidCustomTimesteps(scheduler: Self.className,
                                                        reason: "must be in descending order, got \(timesteps)")
        }
        guard first < noiseSchedule.numTrainTimesteps, last >= 0 else {
            throw SchedulerError.invalidCustomTimesteps(scheduler: Self.className, reason:
                "must lie in the training schedule 0..<\(noiseSchedule.numTrainTimesteps), got \(timesteps)")
        }
        useTimesteps(timesteps)
    }

    private mutating func useTimesteps(_ timesteps: [Int]) {
        self.timesteps = timesteps
        previousTimesteps = [:]
        for (index, timestep) in timesteps.enumerated() where previousTimesteps[timestep] == nil {
            previousTimesteps[timestep] = index + 1 < timesteps.count ? timesteps[index + 1] : -1
        }
    }

    public mutating func step(modelOutput: Tensor, timestep: Int, sample: Tensor,
                              noise: NoiseSource) throws -> Tensor {
        let (output, predictedVariance) = try split(modelOutput, sample: sample)
        let coefficients = try stepCoefficients(at: timestep)
        let mean = transition(output, sample: sample,
                              coefficients: Array(repeating: coefficients, count: sample.batchSize))
        guard drawsNoise(at: timestep) else { return mean }
        let standardNormal = try SolverSchedule.draw(noise, like: sample, scheduler: Self.className)
        if let predictedVariance {
            return mean + learnedNoise(standardNormal, predictedVariance: predictedVariance,
                                       coefficients: coefficients)
        }
        let scale = try noiseScale(at: timestep)
        return mean.zipMap(standardNormal) { mean, z in mean + scale * z }
    }

    // MARK: Parallel sampling

    public func drawsNoise(at timestep: Int) -> Bool { timestep > 0 }

    public func noiseScale(at timestep: Int) throws -> Float {
        guard drawsNoise(at: timestep) else { return 0 }
        guard let scale = fixedNoiseScale(try stepCoefficients(at: timestep)) else {
            throw SchedulerError.noiseScaleDependsOnModelOutput(scheduler: Self.className,
                                                                varianceType: configuration.varianceType.rawValue)
        }
        return scale
    }

    public func posteriorStandardDeviation(at timestep: Int) throws -> Float {
        try stepCoefficients(at: timestep).posteriorVariance.squareRoot()
    }

    public func transitionWithoutNoise(modelOutput: Tensor, sample: Tensor, timesteps: [Int]) throws -> Tensor {
        let (output, _) = try split(modelOutput, sample: sample)
        let itemTimesteps = try timestepsPerItem(timesteps, batchSize: sample.batchSize, scheduler: Self.className)
        return transition(output, sample: sample, coefficients: try itemTimesteps.map(stepCoefficients(at:)))
    }

    // MARK: Step math

    /// The posterior mean μ̃_t(x_t, x̂₀) for each item, x̂₀ clipped or thresholded.
    private func transition(_ modelOutput: Tensor, sample: Tensor, coefficients: [StepCoefficients]) -> Tensor {
        let originalSample = chain.originalSample(modelOutput, sample: sample, scales: coefficients.map(\.scales))
        return originalSample.zipMapItems(sample) { item, x0, x in
            coefficients[item].originalSampleCoefficient * x0 + coefficients[item].currentSampleCoefficient * x
        }
    }

    /// The standard deviation of the noise a step adds, unless the model predicts it.
    private func fixedNoiseScale(_ coefficients: StepCoefficients) -> Float? {
        switch configuration.varianceType {
        case .fixedSmall: coefficients.posteriorVariance.squareRoot()
        case .fixedSmallLog: exp(0.5 * log(coefficients.posteriorVariance))
        case .fixedLarge: coefficients.currentBeta.squareRoot()
        case .fixedLargeLog: exp(0.5 * log(coefficients.currentBeta))
        case .learned, .learnedRange: nil
        }
    }

    /// The noise term for a predicted variance: √v·z (`learned`), or exp(½·log σ²)·z with log σ² interpolated
    /// between log β̃_t and log β_t by (v + 1)/2 (`learned_range`).
    private func learnedNoise(_ standardNormal: Tensor, predictedVariance: Tensor,
                              coefficients: StepCoefficients) -> Tensor {
        if configuration.varianceType == .learned {
            return predictedVariance.zipMap(standardNormal) { variance, z in variance.squareRoot() * z }
        }
        let minLog = log(coefficients.posteriorVariance), maxLog = log(coefficients.currentBeta)
        return predictedVariance.zipMap(standardNormal) { predicted, z in
            let fraction = (predicted + 1) / 2
            let logVariance = fraction * maxLog + (1 - fraction) * minLog
            return exp(0.5 * logVariance) * z
        }
    }

    private func stepCoefficients(at timestep: Int) throws -> StepCoefficients {
        guard (0..<noiseSchedule.numTrainTimesteps).contains(timestep) else {
            throw SchedulerError.timestepOutOfRange(scheduler: Self.className, timestep: timestep,
                                                    trainTimesteps: noiseSchedule.numTrainTimesteps)
        }
        guard let previous = previousTimesteps[timestep] else {
            throw SchedulerError.timestepNotInSchedule(scheduler: Self.className, timestep: timestep)
        }
        let alphaProd = noiseSchedule.alphasCumprod[timestep]
        let alphaProdPrevious = previous >= 0 ? noiseSchedule.alphasCumprod[previous] : 1
        let betaProd = 1 - alphaProd
        let betaProdPrevious = 1 - alphaProdPrevious
        let currentAlpha = alphaProd / alphaProdPrevious
        let currentBeta = 1 - currentAlpha
        return StepCoefficients(
            scales: ChainScales(alphaCumprod: alphaProd),
            originalSampleCoefficient: (alphaProdPrevious.squareRoot() * currentBeta) / betaProd,
            currentSampleCoefficient: currentAlpha.squareRoot() * betaProdPrevious / betaProd,
            posteriorVariance: max((1 - alphaProdPrevious) / (1 - alphaProd) * currentBeta, 1e-20),
            currentBeta: currentBeta)
    }

    /// The model output, and for learned variances the predicted variance split off its second half of channels.
    private func split(_ modelOutput: Tensor, sample: Tensor) throws -> (output: Tensor, variance: Tensor?) {
        guard configuration.varianceType.isLearned else {
            guard modelOutput.shape == sample.shape, modelOutput.layout == sample.layout else {
                throw SchedulerError.shapeMismatch(scheduler: Self.className, parameter: "model_output",
                                                   shape: modelOutput.shape, expected: "the sample's \(sample.shape)")
            }
            return (modelOutput, nil)
        }
        var doubledShape = sample.shape
        if doubledShape.count >= 2 { doubledShape[1] *= 2 }
        guard sample.rank >= 2, modelOutput.shape == doubledShape, modelOutput.layout == .rowMajor,
              sample.layout == .rowMajor else {
            throw SchedulerError.shapeMismatch(
                scheduler: Self.className, parameter: "model_output", shape: modelOutput.shape, expected:
                "row-major \(doubledShape): twice the sample's channels, as 'variance_type' "
                + "'\(configuration.varianceType.rawValue)' predicts the variance in the second half")
        }
        let halves = modelOutput.channelHalves()
        return (halves.first, halves.second)
    }
}
