import ParadiffuseTensors

/// Which of classifier-free guidance's two predictions a network item is evaluated for.
public enum GuidanceBranch: Sendable, Equatable {
    /// With the image's condition: its class, its prompt.
    case conditional
    /// With the null condition: the null class, the negative prompt.
    case unconditional
}

/// A network conditioned per image — on a class (UNet2DModel, DiT) or a prompt (UNet2DConditionModel) — that can
/// also be evaluated on the null condition: what `GuidedDenoiser` combines into one prediction per latent.
public protocol ConditionedNetwork: AnyObject {
    /// How many images are generated together; latent `i` of a batch belongs to image `i % imagesPerGroup`.
    var imagesPerGroup: Int { get }

    /// The output channels guidance mixes (DiT: the noise channels, not its learned variance); nil: all of them.
    var guidedChannels: Int? { get }

    /// The network's output for `latents` `[n, C, H, W]` at `timesteps`, item `k` being of image `images[k]` and
    /// evaluated for `branches[k]`, in one call.
    func outputs(_ latents: Tensor, timesteps: [Float], images: [Int], branches: [GuidanceBranch]) throws -> Tensor

    /// What the scheduler takes from the (guided) output: the output itself, or DiT's noise channels alone when it
    /// learns σ.
    func prediction(_ output: Tensor) -> Tensor
}

extension ConditionedNetwork {
    public var guidedChannels: Int? { nil }

    public func prediction(_ output: Tensor) -> Tensor { output }
}
