import ParadiffuseTensors

/// UpBlock2D, AttnUpBlock2D or CrossAttnUpBlock2D: ResNet blocks, each taking the hidden state joined with one
/// skip state and followed by the type's attention (none, self-attention or a transformer), then an upsampler.
struct UNetUpBlock {
    let resnets: [ResnetBlock2D]
    /// Empty, or one after each ResNet.
    let attentions: [BlockAttention]
    let upsampler: Upsample2D?

    /// diffusers' `get_up_block`: the block of type `type` (an entry of `up_block_types`) joining states of
    /// `previousOutput` channels (from the block below) and `input` channels (the last skip) into `output`, with
    /// `heads` attention heads and, in a transformer, `transformerLayers` layers.
    init(_ type: String, _ weights: ModelWeights, settings: UNetBlockSettings, layers: Int, input: Int,
         previousOutput: Int, output: Int, heads: Int, transformerLayers: Int, addsUpsample: Bool) throws {
        let attention = try settings.attentionKind(
            of: type, key: "up_block_types",
            names: (plain: "UpBlock2D", spatial: "AttnUpBlock2D", transformer: "CrossAttnUpBlock2D"))
        resnets = try (0..<layers).map { index in
            let hiddenChannels = index == 0 ? previousOutput : output
            let skipChannels = index == layers - 1 ? input : output
            return try settings.resnet(weights.scoped("resnets.\(index)"), input: hiddenChannels + skipChannels,
                                       output: output)
        }
        attentions = try settings.attentions(attention, weights, count: layers, channels: output, heads: heads,
                                             transformerLayers: transformerLayers, spatialGroups: settings.groups)
        upsampler = addsUpsample ? try Upsample2D(weights.scoped("upsamplers.0"), channels: output) : nil
    }

    /// `skips` holds this block's skip states, last used first; `outputSize` is the size the upsampler must reach
    /// (the next block's skip states): double the input's, unless a side of the sample was odd.
    func callAsFunction(_ input: Tensor, skips: [Tensor], embedding: Tensor, context: Tensor?,
                        outputSize: (height: Int, width: Int)?) -> Tensor {
        var hidden = input
        var remaining = skips
        for (index, resnet) in resnets.enumerated() {
            hidden = resnet(hidden.concatenatingChannels(remaining.removeLast()), activatedEmbedding: embedding)
            if !attentions.isEmpty { hidden = attentions[index](hidden, context: context) }
        }
        return upsampler.map { $0(hidden, size: outputSize) } ?? hidden
    }
}
