/// The `scheduler_config.json` settings of the σ schedulers that read the shared keys and the σ spacing only
/// (LMS, KDPM2, KDPM2 a), with `Owner`'s defaults. Other keys (`rescale_betas_zero_snr` among them) are ignored.
public struct SigmaSpacingConfiguration<Owner: SigmaSchedulerChoices>: SigmaSchedulerConfiguration {
    public var noiseSchedule: NoiseSchedule.Configuration
    public var predictionType = PredictionType.epsilon
    public var sigmaSpacing = SigmaSpacing.timesteps
    public var timestepPlacement = TimestepPlacement(.linspace)

    public init() {
        noiseSchedule = Owner.defaultNoiseSchedule
    }

    public static var keys: [ConfigurationKey<Self>] {
        sigmaSchedulerKeys(of: Owner.self) + [.sigmaSpacing(\.sigmaSpacing)]
    }
}
