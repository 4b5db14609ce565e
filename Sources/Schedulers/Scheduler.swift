import Tensors

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
///     let output = denoiser(scheduler.scaleModelInput(latents, timestep: t), t)
///     latents = try scheduler.step(modelOutput: output, timestep: t, sample: latents) { generator.randn($0) }
/// }
/// ```
///
/// `step` is `mutating` because multistep solvers keep the model outputs of earlier steps.
public protocol Scheduler: Sendable {
    /// The timesteps of the current schedule, in sampling order (descending).
    var timesteps: [Int] { get }

    /// Standard deviation of the initial noise.
    var initNoiseSigma: Float { get }

    /// Chooses `count` timesteps out of the training schedule.
    mutating func setTimesteps(_ count: Int) throws

    /// The model input for `sample` at `timestep` (the identity for DDPM and DDIM).
    func scaleModelInput(_ sample: Tensor, timestep: Int) -> Tensor

    /// The sample at the previous timestep, from the model output at `timestep`; draws from `noise` only where
    /// diffusers draws from its generator.
    mutating func step(modelOutput: Tensor, timestep: Int, sample: Tensor, noise: NoiseSource) throws -> Tensor

    /// The forward process for img2img: `original` noised to each item's timestep (one timestep for the whole
    /// batch, or one per item).
    func addNoise(original: Tensor, noise: Tensor, timesteps: [Int]) throws -> Tensor
}
