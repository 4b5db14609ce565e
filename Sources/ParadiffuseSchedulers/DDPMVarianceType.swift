/// The variance of the noise a DDPM step adds (`variance_type`).
public enum DDPMVarianceType: String, Sendable, CaseIterable {
    /// The posterior variance β̃_t = (1 − ᾱ_{t−1}) / (1 − ᾱ_t) · β_t.
    case fixedSmall = "fixed_small"
    /// β̃_t, through its logarithm (rl-diffuser).
    case fixedSmallLog = "fixed_small_log"
    /// β_t.
    case fixedLarge = "fixed_large"
    /// β_t, through its logarithm (Glide's "max_log"). diffusers takes the square root of log β_t here, which is
    /// NaN; this scheduler adds noise of variance β_t.
    case fixedLargeLog = "fixed_large_log"
    /// The model predicts the variance itself, in the second half of its output channels.
    case learned
    /// The model predicts v ∈ [−1, 1] in the second half of its channels; the log variance interpolates between
    /// log β̃_t and log β_t (Nichol & Dhariwal 2021).
    case learnedRange = "learned_range"

    var isLearned: Bool { self == .learned || self == .learnedRange }
}
