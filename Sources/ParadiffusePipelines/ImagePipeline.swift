import ParadiffuseLoading
import ParadiffuseModels
import ParadiffuseSamplers
import ParadiffuseTensors

/// A pipeline loaded from a diffusers folder that turns a generation request into images: what
/// `DiffusionPipeline` holds, whatever the folder's pipeline class.
public protocol ImagePipeline: AnyObject, Sendable {
    /// Generates what `request` asks for, sampling with the sampler `request.sampling` describes as `adapting`
    /// returns it (e.g. monitored, or divided among processes).
    func generate(_ request: GenerationRequest, adapting: (any Sampler) -> any Sampler) throws -> GenerationResult

    /// A quick picture of a batch of the latents this pipeline samples, for progress previews: a grid with one
    /// cell per image.
    func preview(of latents: Tensor) throws -> RGBImage

    /// The folder's `scheduler_config.json` (nil: none, diffusers' defaults), whose training schedule and
    /// prediction type turn a model call into the x̂₀ that previews show.
    var previewSchedulerConfig: JSONConfig? { get }

    /// The pipeline's VAE (nil for pixel-space models), whose slicing and tiling bound the memory of decoding.
    var autoencoder: AutoencoderKL? { get }
}
