import Foundation
import ParadiffuseLoading

/// Scheduler settings chosen per run rather than read from `scheduler_config.json`: the Karras sigma schedule and
/// the timestep spacing, applied over the folder's configuration as diffusers' `from_config(config, **kwargs)` does.
public struct SchedulerSettings: Sendable, Equatable {
    /// `use_karras_sigmas` (the kinds whose `readsKarrasSigmas`).
    public var karrasSigmas = false
    /// `timestep_spacing`: leading, trailing or linspace.
    public var timestepSpacing: String?

    public init(karrasSigmas: Bool = false, timestepSpacing: String? = nil) {
        self.karrasSigmas = karrasSigmas
        self.timestepSpacing = timestepSpacing
    }

    var overrides: [String: JSONValue] {
        var values: [String: JSONValue] = [:]
        if karrasSigmas { values["use_karras_sigmas"] = .bool(true) }
        if let timestepSpacing { values["timestep_spacing"] = .string(timestepSpacing) }
        return values
    }
}

extension SchedulerKind {
    /// A scheduler of this kind from a folder's configuration (nil: diffusers' defaults) with `settings` applied;
    /// a setting this kind does not read is an error rather than silently ignored.
    public func makeScheduler(config: JSONConfig?, settings: SchedulerSettings, options: StepOptions = StepOptions(),
                              source: URL) throws -> any Scheduler {
        if settings.karrasSigmas, !readsKarrasSigmas {
            let supporting = Self.allCases.filter(\.readsKarrasSigmas).map(\.rawValue).joined(separator: ", ")
            throw SchedulerError.invalidParameter(scheduler: classNames[0], parameter: "use_karras_sigmas",
                                                  reason: "is not supported; Karras sigmas need --scheduler "
                                                    + "\(supporting)")
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

    /// Whether this kind reads `use_karras_sigmas`.
    public var readsKarrasSigmas: Bool {
        switch self {
        case .dpmSolver, .euler, .heun, .lms, .kdpm2, .kdpm2Ancestral, .unipc, .deis, .dpmSolverSinglestep: true
        default: false
        }
    }
}
