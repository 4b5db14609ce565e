import ParadiffuseTensors

/// What every block of one UNet shares: its ResNets' settings, the downsamplers' padding and, for a UNet that
/// cross-attends to a context, its transformers' settings.
struct UNetBlockSettings {
    /// `cross_attention_dim`, `use_linear_projection`, `only_cross_attention` and `attention_bias`.
    struct TransformerSettings {
        let contextWidth: Int
        let linearProjection: Bool
        let onlyCrossAttention: Bool
        let attentionBias: Bool
    }

    /// Names the configuration in errors.
    let file: String
    let timeEmbedding: Int
    let groups: Int
    let epsilon: Float
    let conditioning: ResnetBlock2D.TimeConditioning
    let downsamplePadding: Int
    /// nil for a UNet without a context: its blocks cannot cross-attend.
    let transformers: TransformerSettings?

    /// The settings `layout` gives its blocks; errors name `file`.
    init(_ layout: some UNetBlockLayout, file: String) {
        self.file = file
        timeEmbedding = layout.timeEmbeddingWidth
        groups = layout.normGroups
        epsilon = layout.normEpsilon
        conditioning = layout.resnetTimeConditioning
        downsamplePadding = layout.downsamplePadding
        transformers = layout.blockTransformers
    }

    func resnet(_ weights: ModelWeights, input: Int, output: Int, outputScaleFactor: Float = 1) throws -> ResnetBlock2D {
        try ResnetBlock2D(weights, input: input, output: output, timeEmbedding: timeEmbedding, groups: groups,
                          epsilon: epsilon, conditioning: conditioning, outputScaleFactor: outputScaleFactor)
    }

    /// `count` attentions of `kind` (none for nil), `attentions.0` on, over `channels` in `heads` heads;
    /// `spatialGroups` and `rescale` are the self-attention's norm groups (nil: no norm) and output scale,
    /// `transformerLayers` the transformer's depth.
    func attentions(_ kind: BlockAttention.Kind?, _ weights: ModelWeights, count: Int, channels: Int, heads: Int,
                    transformerLayers: Int, spatialGroups: Int?, rescale: Float = 1) throws -> [BlockAttention] {
        guard let kind else { return [] }
        return try (0..<count).map {
            try attention(kind, weights.scoped("attentions.\($0)"), channels: channels, heads: heads,
                          transformerLayers: transformerLayers, spatialGroups: spatialGroups, rescale: rescale)
        }
    }

    private func attention(_ kind: BlockAttention.Kind, _ weights: ModelWeights, channels: Int, heads: Int,
                           transformerLayers: Int, spatialGroups: Int?, rescale: Float) throws -> BlockAttention {
        switch kind {
        case .spatial:
            return .spatial(try SpatialSelfAttention(weights, channels: channels, headSize: channels / heads,
                                                     groups: spatialGroups, epsilon: epsilon, rescaleOutputFactor: rescale))
        case .transformer(let transformers):
            return .transformer(try Transformer2D(weights, channels: channels, heads: heads, layers: transformerLayers,
                                                  contextWidth: transformers.contextWidth, groups: groups,
                                                  linearProjection: transformers.linearProjection,
                                                  onlyCrossAttention: transformers.onlyCrossAttention,
                                                  attentionBias: transformers.attentionBias))
        }
    }

    /// The attention the block type `type` (an entry of `key`) puts after its ResNets; `names` lists the types
    /// without attention, with self-attention and with cross-attention.
    func attentionKind(of type: String, key: String,
                       names: (plain: String, spatial: String, transformer: String)) throws -> BlockAttention.Kind? {
        switch type {
        case names.plain: return nil
        case names.spatial: return .spatial
        case names.transformer: return try crossAttention(for: type)
        default:
            throw fail(key, "contains '\(type)'; supported: \(names.plain), \(names.spatial), \(names.transformer)")
        }
    }

    /// The transformer of the cross-attention block type `type`, as diffusers' `get_down_block` and friends need
    /// `cross_attention_dim` for it.
    func crossAttention(for type: String) throws -> BlockAttention.Kind {
        guard let transformers else { throw fail("cross_attention_dim", "is needed by \(type), and this UNet has none") }
        return .transformer(transformers)
    }

    func fail(_ key: String, _ reason: String) -> ModelError {
        .invalidConfiguration(file: file, key: key, reason: reason)
    }
}
