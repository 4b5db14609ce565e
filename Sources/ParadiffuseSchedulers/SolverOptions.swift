import ParadiffuseLoading

/// The `scheduler_config.json` keys the exponential-integrator solvers (DPM-Solver multistep and singlestep, UniPC,
/// DEIS) share, with diffusers' defaults.
public struct SolverOptions: Sendable, Equatable {
    public var noiseSchedule = NoiseSchedule.Configuration()
    /// How many model outputs each step combines (1 to 3); 2 for guided sampling, 3 for unconditional.
    public var solverOrder = 2
    public var predictionType = PredictionType.epsilon
    public var thresholding = false
    public var dynamicThresholdingRatio = 0.995
    public var sampleMaxValue = 1.0
    /// Space the σ of the run as Karras et al. do, each at a rounded training timestep.
    public var useKarrasSigmas = false
    /// Use lower orders for the last steps (multistep DPM-Solver and DEIS: in runs under 15 steps; singlestep
    /// DPM-Solver: end with lower-order groups).
    public var lowerOrderFinal = true

    public init() {}

    /// Reads the shared keys as `from_config` does (absent ones keep their values); the σ schedules this engine
    /// lacks (exponential, beta, flow σ, dynamic shifting) are errors naming the key.
    mutating func read(_ config: JSONConfig, scheduler: String) throws {
        noiseSchedule = try NoiseSchedule.Configuration(config, supported: SolverSetup.betaSchedules,
                                                        scheduler: scheduler)
        solverOrder = try config.value("solver_order", default: solverOrder)
        predictionType = try config.choice("prediction_type", default: predictionType,
                                           among: PredictionType.allCases, for: scheduler)
        thresholding = try config.value("thresholding", default: thresholding)
        dynamicThresholdingRatio = try config.value("dynamic_thresholding_ratio", default: dynamicThresholdingRatio)
        sampleMaxValue = try config.value("sample_max_value", default: sampleMaxValue)
        useKarrasSigmas = try config.value("use_karras_sigmas", default: useKarrasSigmas)
        lowerOrderFinal = try config.value("lower_order_final", default: lowerOrderFinal)
        for key in ["use_exponential_sigmas", "use_beta_sigmas", "use_flow_sigmas", "use_dynamic_shifting"]
        where try config.value(key, default: false) {
            throw LoadingError.invalidConfigValue(config.url, key: key,
                                                  reason: "\(scheduler): true is not supported; only false is")
        }
    }
}

/// A solver's configuration: the shared `SolverOptions` and its own keys, the shared ones reachable as if declared
/// in it (`configuration.solverOrder`).
@dynamicMemberLookup
public protocol SolverConfiguration {
    var solverOptions: SolverOptions { get set }
}

extension SolverConfiguration {
    public subscript<Value>(dynamicMember option: WritableKeyPath<SolverOptions, Value>) -> Value {
        get { solverOptions[keyPath: option] }
        set { solverOptions[keyPath: option] = newValue }
    }
}
