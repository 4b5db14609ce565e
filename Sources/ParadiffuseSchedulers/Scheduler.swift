import ParadiffuseTensors

/// Draws standard normal noise of the given shape (for example `{ generator.randn($0) }` with a
/// `TorchGenerator`). A scheduler calls it only where diffusers draws, with the same shapes in the same order,
/// so a seed reproduces diffusers' samples.
public typealias NoiseSource = (_ shape: [Int]) -> Tensor

/// A diffusion scheduler as a sequential sampling loop uses it:
///
/// ```
/// try scheduler.setTimesteps(steps)
/// var latents = generator.randn(shape) * scheduler.initNoiseSigma
/// for t in scheduler.timesteps {
///     let output = denoiser(scheduler.scaleModelInput(latents, timestep: t), scheduler.modelTimestep(at: t))
///     latents = try scheduler.step(modelOutput: output, timestep: t, sample: latents) { generator.randn($0) }
/// }
/// ```
///
/// `step` is `mutating` because multistep solvers keep the model outputs of earlier steps.
///
/// Steps are named by integer keys. For discrete-time schedulers (DDPM, DDIM, PNDM, DPM-Solver) a key is the
/// training timestep itself; sigma-based schedulers (Euler, Heun, LMS, …) whose model timesteps are fractional
/// or repeated use the step's position in the schedule as its key, and `modelTimestep(at:)` gives the timestep
/// the model is conditioned on (diffusers' `scheduler.timesteps` entry).
public protocol Scheduler: Sendable {
    /// The step keys of the current schedule, in sampling order (for discrete-time schedulers the descending
    /// training timesteps).
    var timesteps: [Int] { get }

    /// Model evaluations per step of the requested count: 2 for Heun and KDPM2, whose schedules interleave a
    /// second evaluation (diffusers' `scheduler.order`, which image-to-image uses to skip whole steps).
    var order: Int { get }

    /// Standard deviation of the initial noise.
    var initNoiseSigma: Float { get }

    /// Chooses `count` timesteps out of the training schedule.
    mutating func setTimesteps(_ count: Int) throws

    /// The timestep the model is conditioned on at step `timestep` (diffusers' `scheduler.timesteps` value).
    func modelTimestep(at timestep: Int) -> Float

    /// The model input for `sample` at `timestep` (the identity for DDPM and DDIM).
    func scaleModelInput(_ sample: Tensor, timestep: Int) -> Tensor

    /// The sample at the previous timestep, from the model output at `timestep`; draws from `noise` only where
    /// diffusers draws from its generator.
    mutating func step(modelOutput: Tensor, timestep: Int, sample: Tensor, noise: NoiseSource) throws -> Tensor

    /// The forward process for img2img: `original` noised to each item's timestep (one timestep for the whole
    /// batch, or one per item).
    func addNoise(original: Tensor, noise: Tensor, timesteps: [Int]) throws -> Tensor
}

extension Scheduler {
    /// Discrete-time schedulers condition the model on the step key itself.
    public func modelTimestep(at timestep: Int) -> Float { Float(timestep) }

    public var order: Int { 1 }
}
