import ParadiffuseTensors

/// What the k-diffusion-style schedulers (Euler, Euler a, Heun, LMS, KDPM2, KDPM2 a) share: step keys that are
/// positions in a schedule of σ, with the timestep the model is conditioned on at each, so that the initial noise,
/// the model input and `add_noise` follow from the σ alone. Each scheduler adds its own layout of the schedule and
/// its step.
public protocol SigmaScheduler: ConfiguredScheduler where Configuration: SigmaSchedulerConfiguration {
    /// The `prediction_type` values the scheduler accepts (every one unless it says otherwise).
    static var supportedPredictionTypes: [PredictionType] { get }

    var configuration: Configuration { get }
    var noiseSchedule: NoiseSchedule { get }
    /// σ per step key, then the final σ.
    var sigmas: [Float] { get }
    /// diffusers' `timesteps`: what the model is conditioned on at each step key.
    var modelTimesteps: [Float] { get }
}

extension SigmaScheduler {
    public static var supportedBetaSchedules: [BetaSchedule] { [.linear, .scaledLinear, .squaredcosCapV2] }

    public static var supportedPredictionTypes: [PredictionType] { PredictionType.allCases }

    public var timesteps: [Int] { Array(modelTimesteps.indices) }

    public var initNoiseSigma: Float { SigmaSchedule.initNoiseSigma(sigmas, spacing: configuration.timestepSpacing) }

    public func modelTimestep(at timestep: Int) -> Float { modelTimesteps[timestep] }

    public func scaleModelInput(_ sample: Tensor, timestep: Int) -> Tensor {
        SigmaParametrization.scaledModelInput(sample, sigma: sigmas[timestep])
    }

    public func addNoise(original: Tensor, noise: Tensor, timesteps: [Int]) throws -> Tensor {
        let keys = try SigmaParametrization.checkedKeys(timesteps, batchSize: original.batchSize,
                                                        count: modelTimesteps.count, scheduler: Self.className)
        return try SigmaParametrization.addNoise(original: original, noise: noise, sigmas: keys.map { sigmas[$0] },
                                                 scheduler: Self.className)
    }

    /// The training schedule `configuration` describes, once its prediction type is one this scheduler supports.
    static func noiseSchedule(of configuration: Configuration) throws -> NoiseSchedule {
        guard supportedPredictionTypes.contains(configuration.predictionType) else {
            throw SchedulerError.unsupportedChoice(
                scheduler: className, parameter: "prediction_type", value: configuration.predictionType.rawValue,
                supported: supportedPredictionTypes.map(\.rawValue))
        }
        return try NoiseSchedule(configuration.noiseSchedule, supported: supportedBetaSchedules, scheduler: className)
    }

    /// The σ schedule of `count` steps over `trainingSigmas`, its timesteps spaced as the configuration asks.
    func sigmaSchedule(count: Int, trainingSigmas: [Float], sigmaSpacing: SigmaSpacing) throws -> SigmaSchedule {
        try SigmaSchedule(count: count, trainingSigmas: trainingSigmas, spacing: configuration.timestepSpacing,
                          stepsOffset: configuration.stepsOffset, sigmaSpacing: sigmaSpacing,
                          scheduler: Self.className)
    }

    /// The schedule position of step key `timestep`, once the model output is known to have the sample's shape.
    func stepIndex(_ timestep: Int, modelOutput: Tensor, sample: Tensor) throws -> Int {
        let index = try SigmaParametrization.checkedKey(timestep, count: modelTimesteps.count,
                                                        scheduler: Self.className)
        try SigmaParametrization.checkShape(of: modelOutput, "model_output", against: sample,
                                            scheduler: Self.className)
        return index
    }

    /// Noise of the sample's shape from `noise`, or an error when the source gives another shape.
    func draw(_ noise: NoiseSource, like sample: Tensor) throws -> Tensor {
        let drawn = noise(sample.shape)
        try SigmaParametrization.checkShape(of: drawn, "noise", against: sample, scheduler: Self.className)
        return drawn
    }

    /// The second evaluation of a two-evaluation step (Heun, KDPM2) cannot be the schedule's first key.
    func checkSecondEvaluation(at index: Int) throws {
        guard index >= 1 else {
            throw SchedulerError.invalidParameter(scheduler: Self.className, parameter: "timestep", reason:
                "0 cannot be the second evaluation of a step; call setTimesteps again")
        }
    }
}
