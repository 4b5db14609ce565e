import ParadiffuseModels
import ParadiffuseTensors

/// A UNet2DConditionModel as a conditioned network: each image's text embedding on the conditional branch, its
/// negative prompt's on the unconditional one.
///
/// Inpainting UNets also take `imageConditioning`, channels appended to each image's latents (the mask and the
/// masked image's latents); guidance-distilled UNets (`time_cond_proj_dim`, Latent Consistency Models) take a
/// `timestepCondition` per image instead of guidance.
public final class UNet2DConditionNetwork: ConditionedNetwork {
    public let unet: UNet2DConditionModel
    /// One embedding per image `[imagesPerGroup, S, cross_attention_dim]`.
    public let context: Tensor
    /// The negative prompts' embeddings, of the conditional context's shape, or nil without guidance.
    public let unconditionalContext: Tensor?
    /// `[imagesPerGroup, K, h, w]` appended after the latent channels of every UNet input, or nil.
    public let imageConditioning: Tensor?
    /// `[imagesPerGroup, time_cond_proj_dim]` added to the UNet's timestep embedding (diffusers' `timestep_cond`),
    /// or nil.
    public let timestepCondition: Tensor?

    public var imagesPerGroup: Int { context.batchSize }

    public init(unet: UNet2DConditionModel, context: Tensor, unconditionalContext: Tensor? = nil,
                imageConditioning: Tensor? = nil, timestepCondition: Tensor? = nil) throws {
        guard context.rank == 3, context.batchSize > 0 else {
            throw ModelError.invalidInput(parameter: "context", reason: "shape \(context.shape) is not [N, S, D]")
        }
        if let unconditionalContext, unconditionalContext.shape != context.shape {
            throw ModelError.invalidInput(parameter: "unconditional context", reason:
                "shape \(unconditionalContext.shape) differs from the conditional context's \(context.shape)")
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
        self.unconditionalContext = unconditionalContext
        self.imageConditioning = imageConditioning
        self.timestepCondition = timestepCondition
    }

    public func outputs(_ latents: Tensor, timesteps: [Float], images: [Int], branches: [GuidanceBranch]) throws -> Tensor {
        func perItem(_ tensor: Tensor) -> Tensor { Tensor.concatenatingBatches(images.map { tensor.batchItem($0) }) }
        let input = try imageConditioning.map { try Tensor.concatenatingChannels([latents, perItem($0)]) } ?? latents
        let contexts = zip(images, branches).map { image, branch in
            (branch == .unconditional ? unconditionalContext ?? context : context).batchItem(image)
        }
        return try unet(input, timesteps: timesteps, context: Tensor.concatenatingBatches(contexts),
                        timestepCondition: timestepCondition.map(perItem))
    }
}
