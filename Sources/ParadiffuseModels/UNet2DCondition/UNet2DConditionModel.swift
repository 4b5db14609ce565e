import ParadiffuseTensors

/// diffusers' `UNet2DConditionModel` as Stable Diffusion 1.x/2.x use it: a latent denoiser conditioned on text
/// embeddings through cross-attention.
public final class UNet2DConditionModel: ComponentModel, Sendable {
    public let configuration: UNet2DConditionConfiguration
    /// Latents, context and outputs are float32; inside, activations between layers have this precision's dtype.
    public let precision: Precision

    private let backbone: UNetBackbone
    private let timeEmbedding: TimestepEmbedding

    public init(configuration: UNet2DConditionConfiguration, weights: ModelWeights) throws {
        self.configuration = configuration
        precision = weights.precision
        backbone = try UNetBackbone(weights, validating: configuration, file: "UNet2DConditionModel configuration")
        timeEmbedding = try TimestepEmbedding(weights.scoped("time_embedding"), input: configuration.blockOutChannels[0],
                                              output: configuration.timeEmbeddingWidth,
                                              conditionWidth: configuration.timeConditionWidth)
    }

    /// The noise prediction for row-major latents `[N, C, H, W]` at one timestep per item, conditioned on
    /// `context` `[N, S, cross_attention_dim]` (text encoder hidden states) and, for UNets with
    /// `time_cond_proj_dim`, optionally on `timestepCondition` `[N, time_cond_proj_dim]` (diffusers'
    /// `timestep_cond`).
    public func callAsFunction(_ latents: Tensor, timesteps: [Float], context: Tensor,
                               timestepCondition: Tensor? = nil) throws -> Tensor {
        guard latents.rank == 4, latents.shape[1] == configuration.inChannels, latents.shape[2] > 0, latents.shape[3] > 0 else {
            throw ModelError.invalidInput(parameter: "latents", reason: "shape \(latents.shape) is not [N, \(configuration.inChannels), H, W]")
        }
        guard timesteps.count == latents.batchSize else {
            throw ModelError.invalidInput(parameter: "timesteps", reason: "\(timesteps.count) timesteps for a batch of \(latents.batchSize)")
        }
        guard context.rank == 3, context.shape[0] == latents.batchSize,
              context.shape[2] == configuration.crossAttentionDimension else {
            throw ModelError.invalidInput(parameter: "encoder hidden states",
                                          reason: "shape \(context.shape) is not [\(latents.batchSize), S, \(configuration.crossAttentionDimension)]")
        }
        let context = context.toRowMajor().converted(to: precision.dtype)
        let projection = sinusoidalTimestepEmbedding(timesteps, dimension: configuration.blockOutChannels[0],
                                                     flipSinToCos: configuration.flipSinToCos,
                                                     frequencyShift: configuration.frequencyShift)
        if let timestepCondition {
            guard let width = configuration.timeConditionWidth,
                  timestepCondition.shape == [latents.batchSize, width] else {
                throw ModelError.invalidInput(parameter: "timestep_cond", reason: configuration.timeConditionWidth
                    .map { "shape \(timestepCondition.shape) is not [\(latents.batchSize), \($0)]" }
                    ?? "is given but the UNet has no 'time_cond_proj_dim'")
            }
        }
        let embedding = timeEmbedding(projection, condition: timestepCondition?.toRowMajor()).silu()

        return backbone(latents, embedding: embedding, context: context)
    }
}
