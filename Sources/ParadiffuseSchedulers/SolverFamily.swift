import ParadiffuseLoading
import ParadiffuseTensors

/// What the exponential-integrator solvers (DPM-Solver multistep and singlestep, UniPC, DEIS) share besides their
/// configuration: steps keyed by training timestep, the model input unscaled, initial noise of standard deviation
/// 1, and `add_noise` at the σ of each item's timestep in the run.
public protocol SolverScheduler: ConfiguredScheduler {
    var state: SolverState { get }
}

extension SolverScheduler {
    public var noiseSchedule: NoiseSchedule { state.noiseSchedule }

    /// ᾱ_t as diffusers uses it: with zero terminal SNR its last value is 2⁻²⁴ rather than 0.
    public var alphasCumprod: [Float] { state.alphasCumprod }

    public var timesteps: [Int] { state.timesteps }

    /// σ = √((1 − ᾱ)/ᾱ) at each timestep of the run, then the final σ.
    public var sigmas: [Float] { state.sigmas }

    public var initNoiseSigma: Float { 1 }

    public func scaleModelInput(_ sample: Tensor, timestep: Int) -> Tensor { sample }

    /// diffusers' `add_noise`: `α·x₀ + σ·ε` at the σ of each item's timestep in the run.
    public func addNoise(original: Tensor, noise: Tensor, timesteps: [Int]) throws -> Tensor {
        try SolverSchedule.addNoise(original: original, noise: noise, timesteps: timesteps, run: self.timesteps,
                                    sigmas: sigmas, scheduler: Self.className)
    }
}

/// The `scheduler_config.json` keys the exponential-integrator solvers (DPM-Solver multistep and singlestep, UniPC,
/// DEIS) share, with diffusers' defaults.
public struct SolverOptions: ConfigurationKeys, SampleLimitConfiguration, Sendable, Equatable {
    public var noiseSchedule = NoiseSchedule.Configuration()
    /// How many model outputs each step combines (1 to 3); 2 for guided sampling, 3 for unconditional.
    public var solverOrder = 2
    public var predictionType = PredictionType.epsilon
    /// Dynamic thresholding of x̂₀ (the solvers do not clip).
    public var sampleLimit = PredictedSampleLimit.Configuration(clipSample: false)
    /// Space the σ of the run as Karras et al. do, each at a rounded training timestep.
    public var useKarrasSigmas = false
    /// Use lower orders for the last steps (multistep DPM-Solver and DEIS: in runs under 15 steps; singlestep
    /// DPM-Solver: end with lower-order groups).
    public var lowerOrderFinal = true

    public init() {}

    public static var keys: [ConfigurationKey<Self>] { keys(readsZeroSNR: true) }

    /// The shared keys; the σ schedules this engine lacks (exponential, beta, flow σ, dynamic shifting) are errors
    /// naming the key.
    static func keys(readsZeroSNR: Bool) -> [ConfigurationKey<Self>] {
        [.noiseSchedule(\.noiseSchedule, supported: SolverSetup.betaSchedules, readsZeroSNR: readsZeroSNR),
         .value("solver_order", \.solverOrder), .choice("prediction_type", \.predictionType),
         .group(\.sampleLimit, keys: PredictedSampleLimit.Configuration.thresholdingKeys),
         .value("use_karras_sigmas", \.useKarrasSigmas), .value("lower_order_final", \.lowerOrderFinal),
         .onlyFalse("use_exponential_sigmas"), .onlyFalse("use_beta_sigmas"), .onlyFalse("use_flow_sigmas"),
         .onlyFalse("use_dynamic_shifting")]
    }
}

/// A solver's configuration: the shared `SolverOptions` and its own keys, the shared ones reachable as if declared
/// in it (`configuration.solverOrder`).
@dynamicMemberLookup
public protocol SolverConfiguration: SchedulerConfiguration {
    var solverOptions: SolverOptions { get set }
}

extension SolverConfiguration {
    public subscript<Value>(dynamicMember option: WritableKeyPath<SolverOptions, Value>) -> Value {
        get { solverOptions[keyPath: option] }
        set { solverOptions[keyPath: option] = newValue }
    }
}

/// What a solver builds from its configuration — the training schedule, ᾱ as diffusers uses it, the limit on its
/// x₀ predictions — and the conversions of model outputs at a noise level.
struct SolverSetup: Sendable {
    static let betaSchedules: [BetaSchedule] = [.linear, .scaledLinear, .squaredcosCapV2]
    static let orders = 1...3

    let noiseSchedule: NoiseSchedule
    /// With zero terminal SNR the last ᾱ is 2⁻²⁴ rather than 0, as diffusers sets it for these solvers.
    let alphasCumprod: [Float]
    let predictionType: PredictionType
    private let sampleLimit: PredictedSampleLimit

    init(_ configuration: SolverOptions, scheduler: String) throws {
        guard Self.orders.contains(configuration.solverOrder) else {
            throw SchedulerError.invalidParameter(scheduler: scheduler, parameter: "solver_order",
                                                  reason: "must be 1, 2 or 3, got \(configuration.solverOrder)")
        }
        noiseSchedule = try NoiseSchedule(configuration.noiseSchedule, supported: Self.betaSchedules,
                                          scheduler: scheduler)
        alphasCumprod = noiseSchedule.alphasCumprodWithFiniteSigmas
        predictionType = configuration.predictionType
        sampleLimit = try PredictedSampleLimit(configuration.sampleLimit, scheduler: scheduler)
    }

    /// Every training timestep, descending.
    var trainingTimesteps: [Int] { Array((0..<noiseSchedule.numTrainTimesteps).reversed()) }

    /// The run of `count` steps, spaced by `spacing` or at Karras σ (their timesteps rounded).
    func run(count: Int, spacing: TimestepSpacing, stepsOffset: Int, karras: Bool,
             scheduler: String) throws -> SolverSchedule {
        try SolverSchedule(count: count, alphasCumprod: alphasCumprod, spacing: spacing, stepsOffset: stepsOffset,
                           karras: karras ? .rounded : nil, scheduler: scheduler)
    }

    /// The model output as a solver combines it: x₀, thresholded if asked (`predictsData`), or ε.
    func converted(_ modelOutput: Tensor, sample: Tensor, level: NoiseLevel, predictsData: Bool) -> Tensor {
        guard predictsData else { return predictionType.noise(modelOutput: modelOutput, sample: sample, level: level) }
        return sampleLimit.apply(to: predictionType.originalSample(modelOutput: modelOutput, sample: sample,
                                                                   level: level))
    }

    /// ε with the x₀ it implies limited, as the noise-predicting `dpmsolver` thresholds: ε → x₀ → limit → ε.
    func limitingNoise(_ noise: Tensor, sample: Tensor, level: NoiseLevel) -> Tensor {
        let originalSample = sampleLimit.apply(to: PredictionType.epsilon.originalSample(
            modelOutput: noise, sample: sample, level: level))
        return PredictionType.noise(fromOriginalSample: originalSample, sample: sample, level: level)
    }
}
