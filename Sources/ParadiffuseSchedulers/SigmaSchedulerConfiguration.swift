import ParadiffuseLoading

/// The `scheduler_config.json` keys every σ scheduler (Euler, Euler a, Heun, LMS, KDPM2, KDPM2 a) reads.
public protocol SigmaSchedulerConfiguration: TimestepSpacingConfiguration, Sendable {
    var noiseSchedule: NoiseSchedule.Configuration { get set }
    var predictionType: PredictionType { get set }
}

extension SigmaSchedulerConfiguration {
    /// Reads the shared keys as `Owner.from_config` does: absent keys keep this configuration's values (the
    /// scheduler's defaults), and a beta schedule or prediction type `Owner` lacks is an error naming the key.
    mutating func readSigmaSchedulerKeys<Owner: SigmaScheduler>(_ config: JSONConfig, of _: Owner.Type) throws {
        noiseSchedule = try NoiseSchedule.Configuration(config, supported: Owner.supportedBetaSchedules,
                                                        scheduler: Owner.className, defaults: noiseSchedule)
        predictionType = try config.choice("prediction_type", default: predictionType,
                                           among: Owner.supportedPredictionTypes, for: Owner.className)
        try readTimestepSpacing(config, scheduler: Owner.className)
    }
}

extension NoiseSchedule.Configuration {
    /// The defaults of the σ schedulers whose betas default to Stable Diffusion's range (Heun, KDPM2, KDPM2 a):
    /// `beta_start` 0.00085, `beta_end` 0.012.
    static var stableDiffusionBetas: Self {
        var schedule = Self()
        schedule.betaStart = 0.00085
        schedule.betaEnd = 0.012
        return schedule
    }
}
