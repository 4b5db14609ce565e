import ParadiffuseLoading

/// The `scheduler_config.json` keys that place a run's timesteps among the training timesteps, which the σ
/// schedulers and the multistep solvers read alike.
public protocol TimestepSpacingConfiguration {
    var timestepSpacing: TimestepSpacing { get set }
    var stepsOffset: Int { get set }
}

extension TimestepSpacingConfiguration {
    /// Reads `timestep_spacing` and `steps_offset` as `from_config` does: absent keys keep their values, and a
    /// spacing this engine lacks is an error naming the key.
    mutating func readTimestepSpacing(_ config: JSONConfig, scheduler: String) throws {
        timestepSpacing = try config.choice("timestep_spacing", default: timestepSpacing,
                                            among: TimestepSpacing.allCases, for: scheduler)
        stepsOffset = try config.value("steps_offset", default: stepsOffset)
    }
}
