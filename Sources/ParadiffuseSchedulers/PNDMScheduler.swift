import ParadiffuseLoading
import ParadiffuseTensors

/// Pseudo numerical methods for diffusion models (Liu et al. 2022): a linear multistep method (PLMS) on the DDIM
/// transfer of formula (9), warmed up either by pseudo Runge–Kutta steps (PRK, three model evaluations per
/// timestep) or, with `skip_prk_steps` as Stable Diffusion's configs set it, by a second-order start. Steps equal
/// diffusers' `PNDMScheduler`, which always steps back by `T / n` (integer division) whatever the spacing.
public struct PNDMScheduler: DDPMChainScheduler {
    public static let className = "PNDMScheduler"
    public static let supportedBetaSchedules: [BetaSchedule] = [.linear, .scaledLinear, .squaredcosCapV2]
    public static let supportedPredictionTypes: [PredictionType] = [.epsilon, .vPrediction]
    /// Model outputs in the linear multistep combination of the 4th-order PLMS step.
    static let plmsOrder = 4

    /// `scheduler_config.json`, with diffusers' defaults.
    public struct Configuration: SchedulerConfiguration, TimestepSpacingConfiguration {
        public var noiseSchedule = NoiseSchedule.Configuration()
        /// Start PLMS with a second-order step instead of the pseudo Runge–Kutta warm-up.
        public var skipPRKSteps = false
        /// Whether ᾱ before the first training timestep is 1 (otherwise ᾱ_0).
        public var setAlphaToOne = false
        public var predictionType = PredictionType.epsilon
        public var timestepPlacement = TimestepPlacement(.leading)

        public init() {}

        /// Other keys (`rescale_betas_zero_snr` among them) are ignored.
        public static var keys: [ConfigurationKey<Self>] {
            [.noiseSchedule(\.noiseSchedule, supported: PNDMScheduler.supportedBetaSchedules, readsZeroSNR: false),
             .value("skip_prk_steps", \.skipPRKSteps), .value("set_alpha_to_one", \.setAlphaToOne),
             .choice("prediction_type", \.predictionType, among: PNDMScheduler.supportedPredictionTypes),
             .group(\.timestepPlacement)]
        }
    }

    /// What the steps so far left for the next one (diffusers' `counter`, `ets`, `cur_sample`, `cur_model_output`).
    private struct History: Sendable {
        var counter = 0
        /// ε̂ of the last (up to four) timesteps, oldest first.
        var noisePredictions: [Tensor] = []
        /// The sample the current Runge–Kutta step (or the second-order start) began from.
        var startSample: Tensor?
        /// The weighted sum of the Runge–Kutta evaluations so far.
        var combinedNoise: Tensor?
    }

    public let configuration: Configuration
    public let noiseSchedule: NoiseSchedule
    /// ᾱ "before" timestep 0, used by the last step.
    private let finalAlphaCumprod: Float
    public private(set) var timesteps: [Int]
    /// The pseudo Runge–Kutta timesteps at the start of `timesteps` (none with `skip_prk_steps`).
    public private(set) var prkTimesteps: [Int] = []
    private var inferenceStepCount: Int?
    private var history = History()

    public init(configuration: Configuration = Configuration()) throws {
        self.configuration = configuration
        noiseSchedule = try NoiseSchedule(configuration.noiseSchedule, supported: Self.supportedBetaSchedules,
                                          scheduler: Self.className)
        guard Self.supportedPredictionTypes.contains(configuration.predictionType) else {
            throw SchedulerError.unsupportedChoice(
                scheduler: Self.className, parameter: "prediction_type", value: configuration.predictionType.rawValue,
                supported: Self.supportedPredictionTypes.map(\.rawValue))
        }
        finalAlphaCumprod = configuration.setAlphaToOne ? 1 : noiseSchedule.alphasCumprod[0]
        timesteps = Array((0..<noiseSchedule.numTrainTimesteps).reversed())
    }

    /// With `skip_prk_steps`, the `n` spaced timesteps with the second-to-last repeated (`n + 1` model
    /// evaluations); otherwise 12 Runge–Kutta timesteps around the last four spaced ones, then the remaining
    /// `n − 3` for PLMS.
    public mutating func setTimesteps(_ count: Int) throws {
        guard configuration.skipPRKSteps || count >= Self.plmsOrder else {
            throw SchedulerError.invalidParameter(scheduler: Self.className, parameter: "num_inference_steps", reason:
                "is \(count); the Runge–Kutta warm-up needs at least \(Self.plmsOrder) steps (or skip_prk_steps)")
        }
        let ascending = Array(try configuration.timestepSpacing.timesteps(
            count: count, trainTimesteps: noiseSchedule.numTrainTimesteps, stepsOffset: configuration.stepsOffset,
            scheduler: Self.className).reversed())
        if configuration.skipPRKSteps {
            prkTimesteps = []
            let plms = ascending.dropLast() + ascending.dropLast().suffix(1) + ascending.suffix(1)
            timesteps = plms.reversed()
        } else {
            let halfStep = noiseSchedule.numTrainTimesteps / count / 2
            let pairs = ascending.suffix(Self.plmsOrder).flatMap { [$0, $0 + halfStep] }
            let doubled = pairs.dropLast().flatMap { [$0, $0] }
            prkTimesteps = doubled.dropFirst().dropLast().reversed()
            timesteps = prkTimesteps + ascending.dropLast(3).reversed()
        }
        inferenceStepCount = count
        history = History()
    }

    public mutating func step(modelOutput: Tensor, timestep: Int, sample: Tensor,
                              noise: NoiseSource) throws -> Tensor {
        guard let inferenceStepCount else { throw SchedulerError.timestepsNotSet(scheduler: Self.className) }
        guard modelOutput.shape == sample.shape, modelOutput.layout == sample.layout else {
            throw SchedulerError.shapeMismatch(scheduler: Self.className, parameter: "model_output",
                                               shape: modelOutput.shape, expected: "the sample's \(sample.shape)")
        }
        let stride = noiseSchedule.numTrainTimesteps / inferenceStepCount
        let result = history.counter < prkTimesteps.count
            ? try rungeKuttaStep(modelOutput, timestep: timestep, sample: sample, stride: stride)
            : try linearMultistepStep(modelOutput, timestep: timestep, sample: sample, stride: stride)
        history.counter += 1
        return result
    }

    // MARK: Step math

    /// One of the four evaluations of a pseudo Runge–Kutta step (`step_prk`): each transfers the step's start
    /// sample by half or all of the step, the fourth with the weighted mean ε̂ of all four.
    private mutating func rungeKuttaStep(_ modelOutput: Tensor, timestep: Int, sample: Tensor,
                                         stride: Int) throws -> Tensor {
        let counter = history.counter
        let previousTimestep = timestep - (counter % 2 == 1 ? 0 : stride / 2)
        let stepTimestep = prkTimesteps[counter / 4 * 4]
        var noisePrediction = modelOutput
        switch counter % 4 {
        case 0:
            history.combinedNoise = Self.accumulate(history.combinedNoise, 1 / 6, modelOutput)
            history.noisePredictions.append(modelOutput)
            history.startSample = sample
        case 1, 2:
            history.combinedNoise = Self.accumulate(history.combinedNoise, 1 / 3, modelOutput)
        default:
            noisePrediction = Self.accumulate(history.combinedNoise, 1 / 6, modelOutput)
            history.combinedNoise = nil
        }
        return try transfer(history.startSample ?? sample, from: stepTimestep, to: previousTimestep,
                            modelOutput: noisePrediction)
    }

    /// `sum + weight · output` in float32, a missing sum being 0.
    private static func accumulate(_ sum: Tensor?, _ weight: Float, _ output: Tensor) -> Tensor {
        let weighted = weight * output
        return sum.map { $0 + weighted } ?? weighted
    }

    /// A pseudo linear multistep step (`step_plms`): Adams–Bashforth over the last four ε̂, with lower orders
    /// while fewer are known. Without the Runge–Kutta warm-up, the second call repeats the first timestep's
    /// transfer with the mean of the two ε̂ (Heun's method).
    private mutating func linearMultistepStep(_ modelOutput: Tensor, timestep: Int, sample: Tensor,
                                              stride: Int) throws -> Tensor {
        let counter = history.counter
        var from = timestep, to = timestep - stride
        if counter == 1 {
            from = timestep + stride
            to = timestep
        } else {
            history.noisePredictions = history.noisePredictions.suffix(Self.plmsOrder - 1) + [modelOutput]
        }
        let e = Array(history.noisePredictions.reversed())  // e[0] is the newest
        var start = sample
        let noisePrediction: Tensor
        switch e.count {
        case 1 where counter == 0:
            noisePrediction = modelOutput
            history.startSample = sample
        case 1:
            noisePrediction = (modelOutput + e[0]).map { $0 / 2 }
            guard let startSample = history.startSample else {
                throw SchedulerError.invalidParameter(scheduler: Self.className, parameter: "timestep",
                                                      reason: "step called out of order; call setTimesteps again")
            }
            start = startSample
            history.startSample = nil
        case 2:
            noisePrediction = (3 * e[0] - e[1]).map { $0 / 2 }
        case 3:
            noisePrediction = (23 * e[0] - 16 * e[1] + 5 * e[2]).map { $0 / 12 }
        default:
            noisePrediction = Float(1.0 / 24) * (55 * e[0] - 59 * e[1] + 37 * e[2] - 9 * e[3])
        }
        return try transfer(start, from: from, to: to, modelOutput: noisePrediction)
    }

    /// Formula (9) of the paper, the DDIM transfer of `sample` from `timestep` to `previousTimestep` written as
    /// `√(ᾱ_prev/ᾱ_t)·x − (ᾱ_prev − ᾱ_t)·ε̂ / (ᾱ_t·√(1−ᾱ_prev) + √(ᾱ_t(1−ᾱ_t)ᾱ_prev))`.
    private func transfer(_ sample: Tensor, from timestep: Int, to previousTimestep: Int,
                          modelOutput: Tensor) throws -> Tensor {
        let alphaProd = try noiseSchedule.alphaCumprod(at: timestep, scheduler: Self.className)
        let alphaProdPrevious = previousTimestep >= 0
            ? try noiseSchedule.alphaCumprod(at: previousTimestep, scheduler: Self.className)
            : finalAlphaCumprod
        let betaProd = 1 - alphaProd
        let betaProdPrevious = 1 - alphaProdPrevious
        let noise = configuration.predictionType == .vPrediction
            ? modelOutput.zipMap(sample) { v, x in alphaProd.squareRoot() * v + betaProd.squareRoot() * x }
            : modelOutput
        let sampleScale = (alphaProdPrevious / alphaProd).squareRoot()
        let difference = alphaProdPrevious - alphaProd
        let denominator = alphaProd * betaProdPrevious.squareRoot()
            + (alphaProd * betaProd * alphaProdPrevious).squareRoot()
        return sample.zipMap(noise) { x, epsilon in sampleScale * x - (difference * epsilon) / denominator }
    }
}
