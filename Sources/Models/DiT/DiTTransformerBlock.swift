import Tensors

/// diffusers' `BasicTransformerBlock` with `norm_type` "ada_norm_zero" and no cross-attention, as DiT uses it.
/// The block embeds the timestep and class itself (`norm1.emb`) and maps SiLU of that to six modulations:
/// shift, scale and gate for the attention branch and for the feed-forward branch. Each branch normalizes
/// (layer norm without affine parameters), modulates, runs, and adds its output times its gate.
struct DiTTransformerBlock {
    let embedding: TimestepLabelEmbedding
    let modulation: Linear
    let attentionNorm: LayerNorm
    let attention: DiTSelfAttention
    let feedForwardNorm: LayerNorm
    let feedForwardIn: Linear
    let feedForwardActivation: Linear.Activation
    let feedForwardOut: Linear

    init(_ weights: ModelWeights, configuration: DiTTransformer2DConfiguration) throws {
        let width = configuration.width
        embedding = try TimestepLabelEmbedding(weights.scoped("norm1.emb"), width: width,
                                               classCount: configuration.classCount)
        modulation = try Linear(weights.scoped("norm1.linear"), input: width, output: 6 * width)
        attentionNorm = LayerNorm(withoutAffineParameters: width, epsilon: 1e-6)
        attention = try DiTSelfAttention(weights.scoped("attn1"), width: width, heads: configuration.attentionHeads,
                                         headSize: configuration.attentionHeadDimension,
                                         bias: configuration.attentionBias)
        feedForwardNorm = configuration.normElementwiseAffine
            ? try LayerNorm(weights.scoped("norm3"), features: width, epsilon: configuration.normEpsilon)
            : LayerNorm(withoutAffineParameters: width, epsilon: configuration.normEpsilon)
        feedForwardIn = try Linear(weights.scoped("ff.net.0.proj"), input: width, output: 4 * width)
        feedForwardActivation = configuration.activation == "gelu" ? .gelu : .geluTanh
        feedForwardOut = try Linear(weights.scoped("ff.net.2"), input: 4 * width, output: width)
    }

    /// tokens `[N, T, C]`, one timestep and class per item.
    func callAsFunction(_ tokens: Tensor, timesteps: [Float], classLabels: [Int]) -> Tensor {
        let conditioning = embedding(timesteps: timesteps, classLabels: classLabels)
        let chunks = modulation(conditioning.silu()).chunkedColumns(6)
        let (attentionShift, attentionScale, attentionGate) = (chunks[0], chunks[1], chunks[2])
        let (feedForwardShift, feedForwardScale, feedForwardGate) = (chunks[3], chunks[4], chunks[5])

        let attended = attention(attentionNorm(tokens).modulated(shift: attentionShift, scale: attentionScale))
        let hidden = tokens.addingGated(attended, gate: attentionGate)
        let normalized = feedForwardNorm(hidden).modulated(shift: feedForwardShift, scale: feedForwardScale)
        let fed = feedForwardOut(feedForwardIn(normalized, activation: feedForwardActivation))
        return hidden.addingGated(fed, gate: feedForwardGate)
    }
}

extension LayerNorm {
    /// A layer norm without learned scale and shift (`elementwise_affine=False`).
    convenience init(withoutAffineParameters features: Int, epsilon: Float) {
        self.init(weight: Tensor(shape: [features], repeating: 1), bias: Tensor(shape: [features], repeating: 0),
                  epsilon: epsilon)
    }
}
