import Foundation
import ParadiffuseLoading
import ParadiffuseModels
import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors
import ParadiffuseTokenizers

/// diffusers' StableDiffusionPipeline and StableDiffusionImg2ImgPipeline (Stable Diffusion 1.x and 2.x): a CLIP
/// tokenizer and text encoder, a UNet2DConditionModel denoising in the latent space of an AutoencoderKL, and a
/// scheduler, loaded from a diffusers folder. `safety_checker` and `feature_extractor` are not used.
public final class StableDiffusionPipeline: Sendable {
    public let folder: URL
    public let promptEncoder: PromptEncoder
    public let unet: UNet2DConditionModel
    public let vae: AutoencoderKL
    /// The folder's `scheduler/scheduler_config.json`.
    public let schedulerConfig: JSONConfig
    /// What requests that leave steps or guidance open run with: diffusers' defaults for the folder's pipeline class.
    public let defaults: GenerationDefaults

    /// Loads a Stable Diffusion folder (`model_index.json` with `tokenizer`, `text_encoder`, `unet`, `vae` and
    /// `scheduler`); `variant` (e.g. "fp16") picks the weight files `*.<variant>.safetensors`; the models compute
    /// in `precision`, their layers quantized as `quantization` asks. `vae` is a VAE component folder to use
    /// instead of the folder's own (e.g. sd-vae-ft-mse), as diffusers' `from_pretrained(..., vae=vae)`; its own
    /// weights, not the variant's.
    public convenience init(folder: URL, variant: String? = nil, precision: Precision = .float32,
                            quantization: Quantization = .none, vae vaeFolder: URL? = nil) throws {
        let diffusers = try DiffusersFolder(url: folder)
        guard let index = diffusers.modelIndex else { throw LoadingError.notAPipelineFolder(folder, component: "unet") }
        try self.init(
            promptEncoder: PromptEncoder(
                tokenizer: CLIPTokenizer(folder: diffusers.componentURL("tokenizer")),
                textEncoder: CLIPTextModel(componentFolder: diffusers.componentURL("text_encoder"), variant: variant,
                                           precision: precision, quantization: quantization)),
            unet: UNet2DConditionModel(componentFolder: diffusers.componentURL("unet"), variant: variant,
                                       precision: precision, quantization: quantization),
            vae: AutoencoderKL(componentFolder: vaeFolder ?? diffusers.componentURL("vae"),
                               variant: vaeFolder == nil ? variant : nil, precision: precision,
                               quantization: quantization),
            schedulerConfig: diffusers.componentConfig("scheduler"),
            folder: folder,
            defaults: index.className == Self.latentConsistencyPipeline ? .latentConsistency : .stableDiffusion)
    }

    /// The pipeline with textual-inversion embeddings loaded (diffusers' `load_textual_inversion`): their tokens
    /// may then appear in prompts and negative prompts.
    public func loading(_ inversions: [TextualInversion]) throws -> StableDiffusionPipeline {
        try StableDiffusionPipeline(promptEncoder: promptEncoder.loading(inversions), unet: unet, vae: vae,
                                    schedulerConfig: schedulerConfig, folder: folder, defaults: defaults)
    }

    /// The `_class_name` of diffusers' LCM text-to-image folders, which this pipeline runs.
    public static let latentConsistencyPipeline = "LatentConsistencyModelPipeline"

    /// Checks that the components fit together: the text encoder's width is the UNet's `cross_attention_dim`,
    /// and the UNet predicts the VAE's latent channels.
    public init(promptEncoder: PromptEncoder, unet: UNet2DConditionModel, vae: AutoencoderKL, schedulerConfig: JSONConfig,
                folder: URL, defaults: GenerationDefaults = .stableDiffusion) throws {
        let textWidth = promptEncoder.textEncoder.configuration.hiddenSize
        guard textWidth == unet.configuration.crossAttentionDimension else {
            throw ModelError.invalidConfiguration(file: folder.appendingPathComponent("unet/config.json").path,
                                                  key: "cross_attention_dim", reason:
                "is \(unet.configuration.crossAttentionDimension), but the text encoder's hidden_size is \(textWidth)")
        }
        guard unet.configuration.outChannels == vae.configuration.latentChannels else {
            throw ModelError.invalidConfiguration(file: folder.appendingPathComponent("unet/config.json").path,
                                                  key: "out_channels", reason:
                "is \(unet.configuration.outChannels), but the VAE has \(vae.configuration.latentChannels) latent channels")
        }
        self.promptEncoder = promptEncoder
        self.unet = unet
        self.vae = vae
        self.schedulerConfig = schedulerConfig
        self.folder = folder
        self.defaults = defaults
    }

    /// diffusers' `vae_scale_factor`: image pixels per latent along each side.
    public var vaeScaleFactor: Int { vae.configuration.downsamplingFactor }

    /// The scheduler a configuration asks for (the folder's unless `configuration.scheduler` names another),
    /// set to `configuration.steps`.
    public func makeScheduler(_ configuration: Configuration) throws -> (scheduler: any Scheduler, name: String) {
        try PipelineScheduler.make(configuration.scheduler, config: schedulerConfig,
                                   settings: configuration.schedulerSettings, eta: configuration.eta,
                                   steps: configuration.steps, source: folder)
    }

    /// The denoiser of a configuration's prompts, with classifier-free guidance when `guidanceScale > 1`, and
    /// inpainting's extra UNet input channels if given. A guidance-distilled UNet (`time_cond_proj_dim`, Latent
    /// Consistency Models) instead takes the guidance scale as an embedding of w = `guidanceScale` − 1 in one
    /// batch, as diffusers' pipelines do.
    func denoiser(_ configuration: Configuration, imageConditioning: Tensor? = nil) throws
        -> (denoiser: GuidedDenoiser<UNet2DConditionNetwork>, warnings: [String]) {
        let guidanceEmbeddingWidth = unet.configuration.timeConditionWidth
        let guides = configuration.guidanceScale > 1 && guidanceEmbeddingWidth == nil
        let prompts = try promptEncoder.encode(configuration.prompts, negativePrompts: configuration.negativePrompts,
                                               imagesPerPrompt: configuration.imagesPerPrompt,
                                               clipSkip: configuration.clipSkip, withNegativePrompts: guides)
        let timestepCondition = guidanceEmbeddingWidth.map { width in
            guidanceScaleEmbedding(Array(repeating: configuration.guidanceScale - 1,
                                         count: prompts.conditional.batchSize), width: width)
        }
        let network = try UNet2DConditionNetwork(unet: unet, context: prompts.conditional,
                                                 unconditionalContext: prompts.unconditional,
                                                 imageConditioning: imageConditioning,
                                                 timestepCondition: timestepCondition)
        let guidance = prompts.unconditional.map { _ in
            ClassifierFreeGuidance(scale: configuration.guidanceScale, rescale: configuration.guidanceRescale,
                                   order: .unconditionalFirst)
        }
        return (GuidedDenoiser(network: network, guidance: guidance),
                prompts.truncationWarnings)
    }

    /// Checks the settings every mode shares.
    func validate(_ configuration: Configuration) throws {
        guard configuration.steps >= 1 else {
            throw ModelError.invalidInput(parameter: "steps", reason: "is \(configuration.steps); must be at least 1")
        }
        guard (0...1).contains(configuration.guidanceRescale) else {
            throw ModelError.invalidInput(parameter: "guidanceRescale",
                                          reason: "is \(configuration.guidanceRescale); must be in [0, 1]")
        }
    }

    /// Whether the UNet is an inpainting UNet: its input is the latents, the mask and the masked image's latents.
    public var hasInpaintingUNet: Bool { unet.configuration.inChannels == 2 * vae.configuration.latentChannels + 1 }

    /// Checks that the UNet takes bare latents, as text-to-image and image-to-image need.
    func requireLatentOnlyUNet() throws {
        guard unet.configuration.inChannels == vae.configuration.latentChannels else {
            throw ModelError.invalidInput(parameter: "unet", reason:
                "the UNet of \(folder.path) takes \(unet.configuration.inChannels) input channels (an inpainting "
                + "model?); text-to-image and image-to-image need \(vae.configuration.latentChannels)")
        }
    }

    /// Checks that an image side of `pixels` (the parameter `name`) is a positive multiple of the VAE's factor; the
    /// UNet takes any latent size, resizing its up path to the skip connections' sizes as diffusers does.
    func validateImageSide(_ pixels: Int, name: String) throws {
        guard pixels > 0, pixels % vaeScaleFactor == 0 else {
            throw ModelError.invalidInput(parameter: name, reason:
                "is \(pixels); it must be a positive multiple of \(vaeScaleFactor), the VAE's downsampling factor")
        }
        guard pixels <= Self.largestImageSide else {
            throw ModelError.invalidInput(parameter: name, reason: "is \(pixels); it must be at most \(Self.largestImageSide)")
        }
    }

    /// The largest width or height generated (and read from an input image, see `RGBImage.read`).
    static let largestImageSide = 16_384

    /// Latents `[N, C, h, w]` decoded to images `[N, 3, h·f, w·f]` in [-1, 1]: `vae.decode(latents / scaling_factor)`.
    public func decode(_ latents: Tensor) throws -> Tensor {
        try vae.decode(latents / vae.configuration.scalingFactor)
    }
}
