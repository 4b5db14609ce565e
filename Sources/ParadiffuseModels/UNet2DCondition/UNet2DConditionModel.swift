import Foundation
import ParadiffuseLoading
import ParadiffuseTensors

/// diffusers' `UNet2DConditionModel` as Stable Diffusion 1.x/2.x use it: a latent denoiser conditioned on text
/// embeddings through cross-attention.
public final class UNet2DConditionModel: Sendable {
    public let configuration: UNet2DConditionConfiguration
    /// Latents, context and outputs are float32; inside, activations between layers have this precision's dtype.
    public let precision: Precision

    private let convIn: Convolution2D
    private let timeEmbedding: TimestepEmbedding
    private let downBlocks: [ConditionedDownBlock]
    private let midBlock: ConditionedMidBlock?
    private let upBlocks: [ConditionedUpBlock]
    private let normOut: GroupNorm
    private let convOut: Convolution2D

    public init(configuration: UNet2DConditionConfiguration, weights: ModelWeights) throws {
        try configuration.validate(file: "UNet2DConditionModel configuration")
        self.configuration = configuration
        precision = weights.precision
        let channels = configuration.blockOutChannels
        let embeddingWidth = configuration.timeEmbeddingWidth
        let settings = UNet2DBlockSettings(timeEmbedding: embeddingWidth, groups: configuration.normGroups,
                                           epsilon: configuration.normEpsilon, conditioning: .add, headSize: nil)
        func transformer(_ weights: ModelWeights, channels: Int, heads: Int) throws -> Transformer2D {
            try Transformer2D(weights, channels: channels, heads: heads, layers: configuration.transformerLayersPerBlock,
                              contextWidth: configuration.crossAttentionDimension, groups: configuration.normGroups,
                              linearProjection: configuration.useLinearProjection,
                              onlyCrossAttention: configuration.onlyCrossAttention,
                              attentionBias: configuration.attentionBias)
        }

        convIn = try Convolution2D(weights.scoped("conv_in"), input: configuration.inChannels, output: channels[0],
                                   kernel: 3, padding: 1)
        timeEmbedding = try TimestepEmbedding(weights.scoped("time_embedding"), input: channels[0], output: embeddingWidth,
                                              conditionWidth: configuration.timeConditionWidth)

        var output = channels[0]
        downBlocks = try configuration.downBlockTypes.enumerated().map { index, type in
            let input = output
            output = channels[index]
            let block = weights.scoped("down_blocks.\(index)")
            let outputChannels = output
            return ConditionedDownBlock(
                resnets: try (0..<configuration.layersPerBlock).map {
                    try settings.resnet(block.scoped("resnets.\($0)"), input: $0 == 0 ? input : outputChannels,
                                        output: outputChannels)
                },
                transformers: type == "CrossAttnDownBlock2D" ? try (0..<configuration.layersPerBlock).map {
                    try transformer(block.scoped("attentions.\($0)"), channels: outputChannels,
                                    heads: configuration.attentionHeads[index])
                } : [],
                downsampler: index < channels.count - 1
                    ? try Downsample2D(block.scoped("downsamplers.0"), channels: outputChannels,
                                       padding: configuration.downsamplePadding) : nil)
        }
        if configuration.midBlockType != nil {
            let block = weights.scoped("mid_block")
            let width = channels.last!
            midBlock = ConditionedMidBlock(
                first: try settings.resnet(block.scoped("resnets.0"), input: width, output: width,
                                           outputScaleFactor: configuration.midBlockScaleFactor),
                transformers: [try transformer(block.scoped("attentions.0"), channels: width,
                                               heads: configuration.attentionHeads.last!)],
                resnets: [try settings.resnet(block.scoped("resnets.1"), input: width, output: width,
                                              outputScaleFactor: configuration.midBlockScaleFactor)])
        } else {
            midBlock = nil
        }
        let reversed = Array(channels.reversed())
        let reversedHeads = Array(configuration.attentionHeads.reversed())
        let layers = configuration.layersPerBlock + 1
        output = reversed[0]
        upBlocks = try configuration.upBlockTypes.enumerated().map { index, type in
            let previous = output
            output = reversed[index]
            let input = reversed[min(index + 1, channels.count - 1)]
            let block = weights.scoped("up_blocks.\(index)")
            let outputChannels = output
            return ConditionedUpBlock(
                resnets: try (0..<layers).map { layer in
                    try settings.resnet(block.scoped("resnets.\(layer)"),
                                        input: (layer == 0 ? previous : outputChannels) + (layer == layers - 1 ? input : outputChannels),
                                        output: outputChannels)
                },
                transformers: type == "CrossAttnUpBlock2D" ? try (0..<layers).map {
                    try transformer(block.scoped("attentions.\($0)"), channels: outputChannels, heads: reversedHeads[index])
                } : [],
                upsampler: index < channels.count - 1
                    ? try Upsample2D(block.scoped("upsamplers.0"), channels: outputChannels) : nil)
        }
        normOut = try GroupNorm(weights.scoped("conv_norm_out"), groups: configuration.normGroups, channels: channels[0],
                                epsilon: configuration.normEpsilon)
        convOut = try Convolution2D(weights.scoped("conv_out"), input: channels[0], output: configuration.outChannels,
                                    kernel: 3, padding: 1)
    }

    /// Loads a `unet/` component folder (`config.json` + weights, single or sharded, optionally a variant) to
    /// compute in `precision` (with layers quantized as `quantization` asks).
    public convenience init(componentFolder folder: URL, variant: String? = nil, precision: Precision = .float32,
                            quantization: Quantization = .none) throws {
        let configuration = try UNet2DConditionConfiguration(JSONConfig(url: folder.appendingPathComponent("config.json")))
        try self.init(configuration: configuration,
                      weights: ModelWeights(WeightStore(componentFolder: folder, variant: variant), precision: precision,
                                            quantization: quantization))
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

        var hidden = convIn(latents.toChannelsLast().converted(to: precision.dtype))
        var skips = [hidden]
        for block in downBlocks {
            let (output, blockSkips) = block(hidden, embedding: embedding, context: context)
            hidden = output
            skips += blockSkips
        }
        if let midBlock { hidden = midBlock(hidden, embedding: embedding, context: context) }
        for block in upBlocks {
            let count = block.resnets.count
            let blockSkips = Array(skips.suffix(count))
            skips.removeLast(count)
            let outputSize = skips.last.map { (height: $0.shape[2], width: $0.shape[3]) }
            hidden = block(hidden, skips: blockSkips, embedding: embedding, context: context, outputSize: outputSize)
        }
        return convOut(normOut(hidden, silu: true)).converted(to: .float32).toRowMajor()
    }
}
