/// The `scheduler_config.json` keys every σ scheduler (Euler, Euler a, Heun, LMS, KDPM2, KDPM2 a) reads.
public protocol SigmaSchedulerConfiguration: SchedulerConfiguration, TimestepSpacingConfiguration {
    var noiseSchedule: NoiseSchedule.Configuration { get set }
    var predictionType: PredictionType { get set }
}

extension SigmaSchedulerConfiguration {
    /// The shared keys as `Owner.from_config` reads them: a beta schedule or prediction type `Owner` lacks is an
    /// error naming the key; `rescale_betas_zero_snr` is read only where `Owner` has it.
    static func sigmaSchedulerKeys<Owner: SigmaScheduler>(of _: Owner.Type,
                                                          readsZeroSNR: Bool = false) -> [ConfigurationKey<Self>] {
        [.noiseSchedule(\.noiseSchedule, supported: Owner.supportedBetaSchedules, readsZeroSNR: readsZeroSNR),
         .choice("prediction_type", \.predictionType, among: Owner.supportedPredictionTypes),
         .group(\.timestepPlacement)]
    }
}
