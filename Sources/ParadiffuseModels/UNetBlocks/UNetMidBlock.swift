import ParadiffuseTensors

/// UNetMidBlock2D or UNetMidBlock2DCrossAttn: a ResNet, then (attention, ResNet) pairs.
struct UNetMidBlock {
    let first: ResnetBlock2D
    /// Empty (UNetMidBlock2D without `add_attention`), or one before each further ResNet.
    let attentions: [BlockAttention]
    let resnets: [ResnetBlock2D]

    /// The block of type `type` (`mid_block_type`), as UNet2DModel builds UNetMidBlock2D (self-attention if
    /// `addsAttention`, normalised over `attentionGroups`; nil: the ResNets' groups without scale-shift
    /// conditioning, else no norm) and `get_mid_block` builds UNetMidBlock2DCrossAttn (a transformer of
    /// `transformerLayers` layers). Both have `heads` attention heads; the ResNets (and the self-attention)
    /// scale their outputs by 1 / `outputScaleFactor`.
    init(_ type: String, _ weights: ModelWeights, settings: UNetBlockSettings, channels: Int, heads: Int,
         transformerLayers: Int, outputScaleFactor: Float, addsAttention: Bool, attentionGroups: Int?) throws {
        let attention: BlockAttention.Kind?
        switch type {
        case "UNetMidBlock2D": attention = addsAttention ? .spatial : nil
        case "UNetMidBlock2DCrossAttn": attention = try settings.crossAttention(for: type)
        default:
            throw settings.fail("mid_block_type", "is '\(type)'; supported: UNetMidBlock2D, UNetMidBlock2DCrossAttn or null")
        }
        first = try settings.resnet(weights.scoped("resnets.0"), input: channels, output: channels,
                                    outputScaleFactor: outputScaleFactor)
        attentions = try settings.attentions(
            attention, weights, count: 1, channels: channels, heads: heads, transformerLayers: transformerLayers,
            spatialGroups: attentionGroups ?? (settings.conditioning == .add ? settings.groups : nil),
            rescale: outputScaleFactor)
        resnets = [try settings.resnet(weights.scoped("resnets.1"), input: channels, output: channels,
                                       outputScaleFactor: outputScaleFactor)]
    }

    func callAsFunction(_ input: Tensor, embedding: Tensor, context: Tensor?) -> Tensor {
        var hidden = first(input, activatedEmbedding: embedding)
        for (index, resnet) in resnets.enumerated() {
            if index < attentions.count { hidden = attentions[index](hidden, context: context) }
            hidden = resnet(hidden, activatedEmbedding: embedding)
        }
        return hidden
    }
}
