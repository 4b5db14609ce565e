import ParadiffuseSchedulers
import ParadiffuseTensors

/// The noise of every step, drawn before sampling starts so that a stochastic sampler becomes a deterministic
/// fixed-point problem: `σ_t · z` for each timestep in order, drawn only where the scheduler's `step` would draw,
/// so a seed gives the sequential sampler's noise.
struct PredrawnNoise {
    /// Per step; nil where the step adds no noise.
    let scaledNoise: [Tensor?]

    init(scheduler: any ParallelScheduler, latents: Tensor, source: NoiseSource, sampler: String) throws {
        scaledNoise = try scheduler.timesteps.map { timestep in
            guard scheduler.drawsNoise(at: timestep) else { return nil }
            let scale = try scheduler.noiseScale(at: timestep)
            let standardNormal = source(latents.shape)
            guard standardNormal.shape == latents.shape, standardNormal.layout == latents.layout else {
                throw SamplerError.noiseShapeMismatch(sampler: sampler, shape: standardNormal.shape,
                                                      expected: latents.shape)
            }
            return standardNormal.map { scale * $0 }
        }
    }
}
