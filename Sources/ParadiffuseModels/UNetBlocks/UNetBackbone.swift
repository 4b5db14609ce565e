import ParadiffuseTensors

/// What UNet2DModel and UNet2DConditionModel share: conv_in, the down blocks (each handing states to the up
/// path), the mid block, the up blocks (each joining those states back), then norm, SiLU and conv_out.
struct UNetBackbone {
    let dtype: DType
    let convIn: Convolution2D
    let downBlocks: [UNetDownBlock]
    let midBlock: UNetMidBlock?
    let upBlocks: [UNetUpBlock]
    let normOut: GroupNorm
    let convOut: Convolution2D

    /// Validates `layout`, then builds the blocks it names as diffusers' `get_down_block`, `get_mid_block` and
    /// `get_up_block` do; errors name `file`.
    init(_ weights: ModelWeights, validating layout: some UNetBlockLayout, file: String) throws {
        try layout.validate(file: file)
        dtype = weights.precision.dtype
        let settings = UNetBlockSettings(layout, file: file)
        let channels = layout.blockOutChannels
        let heads = layout.levelAttentionHeads
        let transformerLayers = layout.levelTransformerLayers
        let deepest = channels.count - 1
        convIn = try Convolution2D(weights.scoped("conv_in"), input: layout.inChannels, output: channels[0],
                                   kernel: 3, padding: 1)
        downBlocks = try layout.downBlockTypes.enumerated().map { level, type in
            try UNetDownBlock(type, weights.scoped("down_blocks.\(level)"), settings: settings,
                              layers: layout.layersPerBlock, input: channels[max(level - 1, 0)], output: channels[level],
                              heads: heads[level], transformerLayers: transformerLayers[level],
                              addsDownsample: level < deepest)
        }
        midBlock = try layout.midBlockType.map {
            try UNetMidBlock($0, weights.scoped("mid_block"), settings: settings, channels: channels[deepest],
                             heads: heads[deepest], transformerLayers: transformerLayers[deepest],
                             outputScaleFactor: layout.midBlockScaleFactor,
                             addsAttention: layout.midBlockAddsAttention, attentionGroups: layout.midBlockAttentionGroups)
        }
        upBlocks = try layout.upBlockTypes.enumerated().map { index, type in
            let level = deepest - index
            return try UNetUpBlock(type, weights.scoped("up_blocks.\(index)"), settings: settings,
                                   layers: layout.layersPerBlock + 1, input: channels[max(level - 1, 0)],
                                   previousOutput: channels[min(level + 1, deepest)], output: channels[level],
                                   heads: heads[level], transformerLayers: transformerLayers[level],
                                   addsUpsample: level > 0)
        }
        normOut = try GroupNorm(weights.scoped("conv_norm_out"), groups: layout.normGroups, channels: channels[0],
                                epsilon: layout.normEpsilon)
        convOut = try Convolution2D(weights.scoped("conv_out"), input: channels[0], output: layout.outChannels,
                                    kernel: 3, padding: 1)
    }

    /// The output (row-major float32) for a `[N, C, H, W]` float32 sample, the activated time embedding and the
    /// context the transformers attend to (nil for a UNet without them).
    func callAsFunction(_ sample: Tensor, embedding: Tensor, context: Tensor?) -> Tensor {
        var hidden = convIn(sample.toChannelsLast().converted(to: dtype))
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
