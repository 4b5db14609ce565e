import Foundation
import Loading

/// Scheduler settings chosen per run rather than read from `scheduler_config.json`: the Karras sigma schedule and
/// the timestep spacing, applied over the folder's configuration as diffusers' `from_config(config, **kwargs)` does.
public struct SchedulerSettings: Sendable, Equatable {
    /// `use_karras_sigmas` (DPM-Solver).
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
        if settings.karrasSigmas, self != .dpmSolver {
            throw SchedulerError.invalidParameter(scheduler: classNames[0], parameter: "use_karras_sigmas",
                                                  reason: "is not supported; Karras sigmas need --scheduler dpm-solver")
        }
        let overrides = settings.overrides
        guard !overrides.isEmpty else { return try makeScheduler(config: config, options: options) }
        let merged = config?.overriding(overrides) ?? JSONConfig(values: overrides, url: source)
        return try makeScheduler(config: merged, options: options)
    }
}
