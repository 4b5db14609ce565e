import Loading
import Tensors

/// The `scheduler_config.json` keys the exponential-integrator solvers (UniPC, DEIS, singlestep DPM-Solver) read
/// alike.
protocol SolverConfiguration {
    var noiseSchedule: NoiseSchedule.Configuration { get set }
    /// How many model outputs a step combines, 1 to 3.
    var solverOrder: Int { get set }
    var predictionType: PredictionType { get set }
    var thresholding: Bool { get set }
    var dynamicThresholdingRatio: Double { get set }
    var sampleMaxValue: Double { get set }
    /// Space the σ of the run as Karras et al. do, each at a rounded training timestep.
    var useKarrasSigmas: Bool { get set }
}

extension SolverConfiguration {
    /// Reads the shared keys as `from_config` does (absent ones keep their values); the σ schedules this engine
    /// lacks (exponential, beta, flow σ, dynamic shifting) are errors naming the key.
    mutating func readSolverKeys(_ config: JSONConfig, scheduler: String) throws {
        noiseSchedule = try NoiseSchedule.Configuration(config, supported: SolverSetup.betaSchedules,
                                                        scheduler: scheduler)
        solverOrder = try config.value("solver_order", default: solverOrder)
        predictionType = try config.choice("prediction_type", default: predictionType,
                                           among: PredictionType.allCases, for: scheduler)
        thresholding = try config.value("thresholding", default: thresholding)
        dynamicThresholdingRatio = try config.value("dynamic_thresholding_ratio", default: dynamicThresholdingRatio)
        sampleMaxValue = try config.value("sample_max_value", default: sampleMaxValue)
        useKarrasSigmas = try config.value("use_karras_sigmas", default: useKarrasSigmas)
        for key in ["use_exponential_sigmas", "use_beta_sigmas", "use_flow_sigmas", "use_dynamic_shifting"]
        where try config.value(key, default: false) {
            throw LoadingError.invalidConfigValue(config.url, key: key,
                                                  reason: "\(scheduler): true is not supported; only false is")
        }
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

    init(_ configuration: some SolverConfiguration, scheduler: String) throws {
        guard Self.orders.contains(configuration.solverOrder) else {
            throw SchedulerError.invalidParameter(scheduler: scheduler, parameter: "solver_order",
                                                  reason: "must be 1, 2 or 3, got \(configuration.solverOrder)")
        }
        noiseSchedule = try NoiseSchedule(configuration.noiseSchedule, supported: Self.betaSchedules,
                                          scheduler: scheduler)
        var alphasCumprod = noiseSchedule.alphasCumprod
        if configuration.noiseSchedule.rescaleBetasZeroSNR { alphasCumprod[alphasCumprod.count - 1] = 0x1p-24 }
        self.alphasCumprod = alphasCumprod
        predictionType = configuration.predictionType
        sampleLimit = try PredictedSampleLimit(
            clipSample: false, clipSampleRange: 1, thresholding: configuration.thresholding,
            dynamicThresholdingRatio: configuration.dynamicThresholdingRatio,
            sampleMaxValue: configuration.sampleMaxValue, scheduler: scheduler)
    }

    /// Every training timestep, descending: the schedule before `setTimesteps`, as in diffusers.
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
