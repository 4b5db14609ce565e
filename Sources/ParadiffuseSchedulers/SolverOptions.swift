import ParadiffuseLoading

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
