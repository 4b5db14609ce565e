import ParadiffuseModels
import ParadiffuseSamplers
import ParadiffuseTensors

/// A UNet2DConditionModel conditioned on one text embedding per image, with diffusers' classifier-free guidance:
/// one batched call over the unconditional half then the conditional half (diffusers' order),
/// `ε = ε_uncond + g · (ε_text − ε_uncond)`, then optionally `guidance_rescale`.
///
/// Inpainting UNets also take `imageConditioning`, channels appended to each image's latents (the mask and the
/// masked image's latents); guidance-distilled UNets (`time_cond_proj_dim`, Latent Consistency Models) take a
/// `timestepCondition` per image instead of guidance. Latent `i` of a batch belongs to image `i % imagesPerGroup`
/// (the `Denoiser` contract), so parallel samplers may pass several timesteps' latents at once.
public final class TextConditionedDenoiser: BranchedDenoiser {
    public let unet: UNet2DConditionModel
    /// One embedding per image `[imagesPerGroup, S, cross_attention_dim]`.
    public let context: Tensor
    public let guidance: Guidance?
    /// `[imagesPerGroup, K, h, w]` appended after the latent channels of every UNet input, or nil.
    public let imageConditioning: Tensor?
    /// `[imagesPerGroup, time_cond_proj_dim]` added to the UNet's timestep embedding (diffusers' `timestep_cond`),
    /// or nil.
    public let timestepCondition: Tensor?

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

    public init(unet: UNet2DConditionModel, context: Tensor, guidance: Guidance?, imageConditioning: Tensor? = nil,
                timestepCondition: Tensor? = nil) throws {
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
        if let timestepCondition, timestepCondition.rank != 2 || timestepCondition.batchSize != context.batchSize {
            throw ModelError.invalidInput(parameter: "timestep condition", reason:
                "shape \(timestepCondition.shape) is not [\(context.batchSize), D], one item per image")
        }
        self.unet = unet
        self.context = context
        self.timestepCondition = timestepCondition
        self.guidance = guidance
        self.imageConditioning = imageConditioning
    }

    /// In diffusers' order: the negative prompts' branch, then the prompts' (without guidance, only the prompts').
    public var branchCount: Int { guidance == nil ? 1 : 2 }

    public func networkOutputs(_ latents: Tensor, timesteps: [Float], items: Range<Int>) throws -> Tensor {
        let count = latents.batchSize
        guard count % imagesPerGroup == 0 else {
            throw ModelError.invalidInput(parameter: "latents", reason:
                "a batch of \(count) is not a multiple of the \(imagesPerGroup) images generated together")
        }
        let pieces = latentRanges(of: items, batchSize: count)
        let latentIndices = pieces.flatMap { $0.latents }
        func perItem(_ tensor: Tensor) -> Tensor {
            Tensor.concatenatingBatches(latentIndices.map { tensor.batchItem($0 % imagesPerGroup) })
        }
        let pieceLatents = Tensor.concatenatingBatches(pieces.map { latents.batchItems($0.latents) })
        let input = try imageConditioning.map { try Tensor.concatenatingChannels([pieceLatents, perItem($0)]) }
            ?? pieceLatents
        let contexts = pieces.map { piece in
            let branchContext = piece.branch == 0 ? guidance?.unconditionalContext ?? context : context
            return Tensor.concatenatingBatches(piece.latents.map { branchContext.batchItem($0 % imagesPerGroup) })
        }
        return try unet(input, timesteps: pieces.flatMap { timesteps[$0.latents] },
                        context: Tensor.concatenatingBatches(contexts), timestepCondition: timestepCondition.map(perItem))
    }

    public func combining(_ networkOutputs: Tensor) throws -> Tensor {
        guard let guidance else { return networkOutputs }
        let count = networkOutputs.batchSize / 2
        let unconditionalOutput = networkOutputs.batchItems(0..<count)
        let textOutput = networkOutputs.batchItems(count..<2 * count)
        let guided = unconditionalOutput.zipMap(textOutput) { uncond, text in uncond + guidance.scale * (text - uncond) }
        guard guidance.rescale > 0 else { return guided }
        return rescaledGuidance(guided, textPrediction: textOutput, rescale: guidance.rescale)
    }
}
