import ParadiffuseTensors

/// diffusers' `BasicTransformerBlock` with `norm_type` "ada_norm_zero" and no cross-attention, as DiT uses it.
/// The block embeds the timestep and class itself (`norm1.emb`) and maps SiLU of that to six modulations:
/// shift, scale and gate for the attention branch and for the feed-forward branch. Each branch normalizes
/// (layer norm, with affine parameters only for the feed-forward norm of `norm_elementwise_affine` models),
/// modulates, runs, and adds its output times its gate.
///
/// The tokens between blocks (the residual stream) are float32 in every precision; in bfloat16 the linear layers
/// take bfloat16 inputs from the modulated norms and return float32, so statistics, modulations, gates and residual
/// sums are float32 arithmetic.
struct DiTTransformerBlock {
    let embedding: TimestepLabelEmbedding
    let modulation: Linear
    let attentionNorm: ModulatedLayerNorm
    let attention: DiTSelfAttention
    let feedForwardNorm: ModulatedLayerNorm
    let feedForwardIn: Linear
    let feedForwardActivation: Linear.Activation
    let feedForwardOut: Linear
    /// The dtype of the linear layers' weights and inputs.
    let dtype: DType

    init(_ weights: ModelWeights, configuration: DiTTransformer2DConfiguration) throws {
        let width = configuration.width
        embedding = try TimestepLabelEmbedding(weights.scoped("norm1.emb"), width: width,
                                               classCount: configuration.classCount)
        modulation = try Linear(weights.scoped("norm1.linear"), input: width, output: 6 * width)
        attentionNorm = ModulatedLayerNorm(features: width, epsilon: 1e-6)
        attention = try DiTSelfAttention(weights.scoped("attn1"), width: width, heads: configuration.attentionHeads,
                                         headSize: configuration.attentionHeadDimension,
                                         bias: configuration.attentionBias)
        feedForwardNorm = configuration.normElementwiseAffine
            ? try ModulatedLayerNorm(weights.scoped("norm3"), features: width, epsilon: configuration.normEpsilon)
            : ModulatedLayerNorm(features: width, epsilon: configuration.normEpsilon)
        feedForwardIn = try Linear(weights.scoped("ff.net.0.proj"), input: width, output: 4 * width)
        feedForwardActivation = configuration.activation == "gelu" ? .gelu : .geluTanh
        feedForwardOut = try Linear(weights.scoped("ff.net.2"), input: 4 * width, output: width)
        dtype = weights.precision.dtype
    }

    /// float32 tokens `[N, T, C]`, one timestep and class per item.
    func callAsFunction(_ tokens: Tensor, timesteps: [Float], classLabels: [Int]) -> Tensor {
        let conditioning = embedding(timesteps: timesteps, classLabels: classLabels)
        let chunks = modulation(conditioning.siluActivated(as: dtype), as: .float32).chunkedColumns(6)
        let (attentionShift, attentionScale, attentionGate) = (chunks[0], chunks[1], chunks[2])
        let (feedForwardShift, feedForwardScale, feedForwardGate) = (chunks[3], chunks[4], chunks[5])

        let attended = attention(attentionNorm(tokens, shift: attentionShift, scale: attentionScale, as: dtype))
        let hidden = tokens.addingGated(attended, gate: attentionGate)
        let normalized = feedForwardNorm(hidden, shift: feedForwardShift, scale: feedForwardScale, as: dtype)
        let fed = feedForwardOut(feedForwardIn(normalized, activation: feedForwardActivation), as: .float32)
        return hidden.addingGated(fed, gate: feedForwardGate)
    }
}

extension ModulatedLayerNorm {
    init(_ weights: ModelWeights, features: Int, epsilon: Float) throws {
        try self.init(weight: weights.tensor("weight", shape: [features]), bias: weights.tensor("bias", shape: [features]),
                      epsilon: epsilon)
    }
}
