import ParadiffuseTensors

/// DownBlock2D, AttnDownBlock2D or CrossAttnDownBlock2D: ResNet blocks, each followed by the type's attention
/// (none, self-attention or a transformer), then a downsampler.
struct UNetDownBlock {
    let resnets: [ResnetBlock2D]
    /// Empty, or one after each ResNet.
    let attentions: [BlockAttention]
    let downsampler: Downsample2D?

    /// diffusers' `get_down_block`: the block of type `type` (an entry of `down_block_types`), with `heads`
    /// attention heads and, in a transformer, `transformerLayers` layers.
    init(_ type: String, _ weights: ModelWeights, settings: UNetBlockSettings, layers: Int, input: Int, output: Int,
         heads: Int, transformerLayers: Int, addsDownsample: Bool) throws {
        let attention = try settings.attentionKind(
            of: type, key: "down_block_types",
            names: (plain: "DownBlock2D", spatial: "AttnDownBlock2D", transformer: "CrossAttnDownBlock2D"))
        resnets = try (0..<layers).map {
            try settings.resnet(weights.scoped("resnets.\($0)"), input: $0 == 0 ? input : output, output: output)
        }
        attentions = try settings.attentions(attention, weights, count: layers, channels: output, heads: heads,
                                             transformerLayers: transformerLayers, spatialGroups: settings.groups)
        downsampler = addsDownsample
            ? try Downsample2D(weights.scoped("downsamplers.0"), channels: output, padding: settings.downsamplePadding)
            : nil
    }

    /// The block's output and the states it hands to the up path's skip connections.
    func callAsFunction(_ input: Tensor, embedding: Tensor, context: Tensor?) -> (Tensor, [Tensor]) {
        var hidden = input
        var skips: [Tensor] = []
        for (index, resnet) in resnets.enumerated() {
            hidden = resnet(hidden, activatedEmbedding: embedding)
            if !attentions.isEmpty { hidden = attentions[index](hidden, context: context) }
            skips.append(hidden)
        }
        if let downsampler {
            hidden = downsampler(hidden)
            skips.append(hidden)
        }
        return (hidden, skips)
    }
}
