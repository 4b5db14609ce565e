/// What every σ scheduler keeps: its configuration, the training schedule, the ᾱ and training σ its runs are
/// spaced over, and the run's σ and model timesteps, which each scheduler lays out its way.
public struct SigmaSchedulerState<Configuration: SigmaSchedulerConfiguration>: Sendable {
    public let configuration: Configuration
    public let noiseSchedule: NoiseSchedule
    /// ᾱ_t the σ come from (for Euler and Euler a with zero terminal SNR, its last value is 2⁻²⁴ rather than 0).
    public let alphasCumprod: [Float]
    /// σ = √((1 − ᾱ)/ᾱ) per training timestep, ascending.
    let trainingSigmas: [Float]
    /// σ per step key, then the final σ.
    public internal(set) var sigmas: [Float] = []
    /// diffusers' `timesteps`: what the model is conditioned on at each step key.
    public internal(set) var modelTimesteps: [Float] = []

    /// The state before `setTimesteps`: `alphasCumprod` is the schedule's, or with `finiteSigmas` its ᾱ with a
    /// last value that keeps σ finite.
    init(_ configuration: Configuration, noiseSchedule: NoiseSchedule, finiteSigmas: Bool) {
        self.configuration = configuration
        self.noiseSchedule = noiseSchedule
        alphasCumprod = finiteSigmas ? noiseSchedule.alphasCumprodWithFiniteSigmas : noiseSchedule.alphasCumprod
        trainingSigmas = SigmaSchedule.trainingSigmas(alphasCumprod)
    }
}
