import Models
import Samplers
import Tensors

/// A UNet2DConditionModel conditioned on one text embedding per image, with diffusers' classifier-free guidance:
/// one batched call over the unconditional half then the conditional half (diffusers' order),
/// `ε = ε_uncond + g · (ε_text − ε_uncond)`, then optionally `guidance_rescale`.
///
/// Inpainting UNets also take `imageConditioning`, channels appended to each image's latents (the mask and the
/// masked image's latents). Latent `i` of a batch belongs to image `i % imagesPerGroup` (the `Denoiser`
/// contract), so parallel samplers may pass several timesteps' latents at once.
public final class TextConditionedDenoiser: Denoiser {
    public let unet: UNet2DConditionModel
    /// One embedding per image `[imagesPerGroup, S, cross_attention_dim]`.
    public let context: Tensor
    public let guidance: Guidance?
    /// `[imagesPerGroup, K, h, w]` appended after the latent channels of every UNet input, or nil.
    public let imageConditioning: Tensor?

    public var imagesPerGroup: Int { context.batchSize }

    /// Classifier-free guidance against the negative prompts' embeddings.
    public struct Guidance {
        /// `[imagesPerGroup, S, cross_attention_dim]`, the shape of the conditional context.
        public let unconditionalContext: Tensor
        public let scale: Float
        /// diffusers' `guidance_rescale` φ: 0 leaves the guided prediction as is.
        public let rescale: Float

        public init(unconditionalContext: Tensor, scale: Float, rescale: Float = 0) {
            self.unconditionalContext = unconditionalContext
            self.scale = scale
            self.rescale = rescale
        }
    }

    public init(unet: UNet2DConditionModel, context: Tensor, guidance: Guidance?, imageConditioning: Tensor? = nil) throws {
        guard context.rank == 3, context.batchSize > 0 else {
            throw ModelError.invalidInput(parameter: "context", reason: "shape \(context.shape) is not [N, S, D]")
        }
        if let guidance, guidance.unconditionalContext.shape != context.shape {
            throw ModelError.invalidInput(parameter: "unconditional context", reason:
                "shape \(guidance.unconditionalContext.shape) differs from the conditional context's \(context.shape)")
        }
        if let imageConditioning, imageConditioning.rank != 4 || imageConditioning.batchSize != context.batchSize {
            throw ModelError.invalidInput(parameter: "image conditioning", reason:
                "shape \(imageConditioning.shape) is not [\(context.batchSize), K, h, w], one item per image")
        }
        self.unet = unet
        self.context = context
        self.guidance = guidance
        self.imageConditioning = imageConditioning
    }

    public func denoise(_ latents: Tensor, timesteps: [Float]) throws -> Tensor {
        let count = latents.batchSize
        guard count % imagesPerGroup == 0 else {
            throw ModelError.invalidInput(parameter: "latents", reason:
                "a batch of \(count) is not a multiple of the \(imagesPerGroup) images generated together")
        }
        let groups = count / imagesPerGroup
        let conditional = context.repeatingBatch(groups)
        let input = try imageConditioning.map { try Tensor.concatenatingChannels([latents, $0.repeatingBatch(groups)]) }
            ?? latents
        guard let guidance else { return try unet(input, timesteps: timesteps, context: conditional) }
        let both = try unet(Tensor.concatenatingBatches([input, input]), timesteps: timesteps + timesteps,
                            context: Tensor.concatenatingBatches([guidance.unconditionalContext.repeatingBatch(groups),
                                                                  conditional]))
        let unconditionalOutput = both.batchItems(0..<count), textOutput = both.batchItems(count..<2 * count)
        let guided = unconditionalOutput.zipMap(textOutput) { uncond, text in uncond + guidance.scale * (text - uncond) }
        guard guidance.rescale > 0 else { return guided }
        return rescaledGuidance(guided, textPrediction: textOutput, rescale: guidance.rescale)
    }
}
