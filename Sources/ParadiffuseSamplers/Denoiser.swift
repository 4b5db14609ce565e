import ParadiffuseTensors

/// The one thing a sampler needs from a network: model outputs for a batch of latents, each at its own timestep.
///
/// Batches are made of consecutive groups of `imagesPerGroup` latents (one group per timestep of a parallel
/// window), so a conditioned denoiser knows that latent `i` belongs to image `i % imagesPerGroup`.
public protocol Denoiser: AnyObject {
    /// How many images are generated together; batches are multiples of it.
    var imagesPerGroup: Int { get }

    /// `latents` `[B, C, H, W]`, `timesteps.count == B`; returns the model output `[B, C', H, W]`.
    func denoise(_ latents: Tensor, timesteps: [Float]) throws -> Tensor
}
