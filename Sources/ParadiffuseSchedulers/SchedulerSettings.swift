import Foundation
import ParadiffuseLoading

/// Scheduler settings chosen per run rather than read from `scheduler_config.json`: the σ schedule (Karras,
/// exponential, beta) and the timestep spacing, applied over the folder's configuration as diffusers'
/// `from_config(config, **kwargs)` does.
public struct SchedulerSettings: Sendable, Equatable {
    /// `use_karras_sigmas`, `use_exponential_sigmas` or `use_beta_sigmas` (the kinds that `read` it); nil keeps
    /// the folder's.
    public var sigmaSpacing: SigmaSpacing?
    /// `timestep_spacing`: leading, trailing or linspace.
    public var timestepSpacing: String?

    public init(sigmaSpacing: SigmaSpacing? = nil, timestepSpacing: String? = nil) {
        self.sigmaSpacing = sigmaSpacing
        self.timestepSpacing = timestepSpacing
    }

    static let sigmaSpacingKeys: [(SigmaSpacing, String)] = [
        (.karras, "use_karras_sigmas"), (.exponential, "use_exponential_sigmas"), (.beta, "use_beta_sigmas"),
    ]

    var overrides: [String: JSONValue] {
        var values: [String: JSONValue] = [:]
        if let sigmaSpacing {
            // All three, so that the folder's own choice does not stay on beside this one.
            for (spacing, key) in Self.sigmaSpacingKeys { values[key] = .bool(spacing == sigmaSpacing) }
        }
        if let timestepSpacing { values["timestep_spacing"] = .string(timestepSpacing) }
        return values
    }
}

extension SchedulerKind {
    /// A scheduler of this kind from a folder's configuration (nil: diffusers' defaults) with `settings` applied;
    /// a setting this kind does not read is an error rather than silently ignored.
    public func makeScheduler(config: JSONConfig?, settings: SchedulerSettings, options: StepOptions = StepOptions(),
                              source: URL) throws -> any Scheduler {
        if let spacing = settings.sigmaSpacing, spacing != .timesteps, !reads(spacing),
           let key = SchedulerSettings.sigmaSpacingKeys.first(where: { $0.0 == spacing })?.1 {
            let supporting = Self.allCases.filter { $0.reads(spacing) }.map(\.rawValue).joined(separator: ", ")
            throw SchedulerError.invalidParameter(scheduler: classNames[0], parameter: key,
                                                  reason: "is not supported; \(spacing.rawValue) sigmas need "
                                                    + "--scheduler \(supporting)")
        }
        if settings.timestepSpacing != nil, !readsTimestepSpacing {
            throw SchedulerError.invalidParameter(scheduler: classNames[0], parameter: "timestep_spacing", reason:
                "is not read by \(classNames[0]), whose timesteps do not depend on it")
        }
        let overrides = settings.overrides
        guard !overrides.isEmpty else { return try makeScheduler(config: config, options: options) }
        let merged = config?.overriding(overrides) ?? JSONConfig(values: overrides, url: source)
        return try makeScheduler(config: merged, options: options)
    }

    /// Whether this kind reads `timestep_spacing` (singlestep DPM-Solver always spaces linearly; LCM picks its
    /// timesteps from the distillation schedule).
    public var readsTimestepSpacing: Bool { self != .dpmSolverSinglestep && self != .lcm }

    /// Whether this kind reads the key of `spacing` (`use_karras_sigmas`, …): the solvers Karras σ only, the
    /// σ schedulers but Euler a all three.
    public func reads(_ spacing: SigmaSpacing) -> Bool {
        switch (self, spacing) {
        case (_, .timesteps): true
        case (.euler, _), (.heun, _), (.lms, _), (.kdpm2, _), (.kdpm2Ancestral, _): true
        case (.dpmSolver, .karras), (.unipc, .karras), (.deis, .karras), (.dpmSolverSinglestep, .karras): true
        default: false
        }
    }
}
