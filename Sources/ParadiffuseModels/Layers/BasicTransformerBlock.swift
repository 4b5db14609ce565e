import ParadiffuseTensors

/// Self-attention, cross-attention and a GEGLU feed-forward, each after a layer norm and with a residual
/// (diffusers' `BasicTransformerBlock` with `norm_type="layer_norm"`, as Stable Diffusion uses it).
struct BasicTransformerBlock {
    let norm1: LayerNorm
    let selfAttention: CrossAttention
    let norm2: LayerNorm
    let crossAttention: CrossAttention
    let norm3: LayerNorm
    let feedForwardIn: Linear
    let feedForwardOut: Linear
    let onlyCrossAttention: Bool

    init(_ weights: ModelWeights, width: Int, heads: Int, headSize: Int, contextWidth: Int,
         onlyCrossAttention: Bool, attentionBias: Bool) throws {
        norm1 = try LayerNorm(weights.scoped("norm1"), features: width, epsilon: 1e-5)
        selfAttention = try CrossAttention(weights.scoped("attn1"), width: width,
                                           contextWidth: onlyCrossAttention ? contextWidth : nil, heads: heads,
                                           headSize: headSize, bias: attentionBias)
        norm2 = try LayerNorm(weights.scoped("norm2"), features: width, epsilon: 1e-5)
        crossAttention = try CrossAttention(weights.scoped("attn2"), width: width, contextWidth: contextWidth,
                                            heads: heads, headSize: headSize, bias: attentionBias)
        norm3 = try LayerNorm(weights.scoped("norm3"), features: width, epsilon: 1e-5)
        feedForwardIn = try Linear(weights.scoped("ff.net.0.proj"), input: width, output: 8 * width)
        feedForwardOut = try Linear(weights.scoped("ff.net.2"), input: 4 * width, output: width)
        self.onlyCrossAttention = onlyCrossAttention
    }

    /// hidden `[N, T, C]`, context `[N, S, C']` (nil: self-attention in both attention layers).
    func callAsFunction(_ hidden: Tensor, context: Tensor?) -> Tensor {
        var hidden = selfAttention(norm1(hidden), context: onlyCrossAttention ? context : nil, residual: hidden)
        hidden = crossAttention(norm2(hidden), context: context, residual: hidden)
        return feedForwardOut(feedForwardIn(norm3(hidden)).geglu(), adding: hidden)
    }
}
