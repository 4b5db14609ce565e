import Tensors

/// A scheduler whose step is `x_prev = F(x_t, modelOutput, t) + σ_t · z` with `z` standard normal, exposed so that
/// parallel samplers (ParaDiGMS, ParaTAA) can evaluate a window of the trajectory at once.
///
/// The contract: for every timestep of the schedule, `step` equals `transitionWithoutNoise` plus
/// `noiseScale(at:)` times the noise `step` draws (which it draws exactly when `drawsNoise(at:)`), bit for bit.
/// Samplers that precompute noise draw it, in timestep order, only where `drawsNoise(at:)`, so that a seed gives
/// the sequential sampler's result.
public protocol ParallelScheduler: Scheduler {
    /// Whether sampling is an ODE: `step` never adds noise.
    var isODE: Bool { get }

    /// Whether `step` at `timestep` draws a noise tensor shaped like the sample.
    func drawsNoise(at timestep: Int) -> Bool

    /// The standard deviation σ_t of the noise `step` adds when leaving `timestep` (0 where it adds none).
    /// A DDPM scheduler whose model predicts the variance (`learned`, `learned_range`) has none: it throws.
    func noiseScale(at timestep: Int) throws -> Float

    /// √β̃_t, the standard deviation of the DDPM posterior q(x_prev | x_t, x₀) from `timestep` to the previous
    /// timestep: the noise a fully stochastic step would add, defined also where this scheduler adds none (DDIM
    /// with η = 0).
    /// ParaDiGMS measures each step's error against it, as diffusers' pipeline does with `_get_variance`.
    func posteriorStandardDeviation(at timestep: Int) throws -> Float

    /// `F(x_t, modelOutput, t)` for each batch item at its own timestep: the step without its noise.
    func transitionWithoutNoise(modelOutput: Tensor, sample: Tensor, timesteps: [Int]) throws -> Tensor
}
