import ParadiffuseSchedulers
import ParadiffuseTensors

/// A way of running the time loop: sequentially, or in parallel over time (ParaDiGMS, ParaTAA).
/// Samplers know nothing of networks: they batch (latent, timestep) pairs through a `Denoiser`.
public protocol Sampler {
    /// Denoises `latents` (already scaled by the scheduler's initial noise sigma) through every timestep of
    /// `scheduler` (already set to its step count). `noise` supplies every standard-normal draw, in diffusers'
    /// order; `progress` reports progress in the sampler's own unit (steps, or steps final so far).
    func sample(_ latents: Tensor, scheduler: inout any Scheduler, denoiser: Denoiser, noise: NoiseSource,
                progress: (SamplingProgress) -> Void) throws -> SamplingResult
}

/// The final latents of a sampling run and what it cost; optionally the whole trajectory.
public struct SamplingResult {
    public var latents: Tensor
    public var statistics: SamplingStatistics
    /// The latents before each step and after the last (`timesteps.count + 1` tensors), when the sampler keeps them.
    public var trajectory: [Tensor]?

    public init(latents: Tensor, statistics: SamplingStatistics, trajectory: [Tensor]? = nil) {
        self.latents = latents
        self.statistics = statistics
        self.trajectory = trajectory
    }
}
