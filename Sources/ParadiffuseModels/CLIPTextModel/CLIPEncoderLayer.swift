import ParadiffuseTensors

/// One pre-norm transformer layer of CLIP's text encoder:
/// `x + out_proj(causal attention(layer_norm1(x)))`, then `x + fc2(act(fc1(layer_norm2(x))))`.
struct CLIPEncoderLayer {
    let attentionNorm: LayerNorm
    let query: Linear
    let key: Linear
    let value: Linear
    let attentionOutput: Linear
    let heads: Int
    let mlpNorm: LayerNorm
    let mlpInput: Linear
    let mlpOutput: Linear
    let activation: Linear.Activation

    /// `activation` is the configuration's, already validated.
    init(_ weights: ModelWeights, configuration: CLIPTextConfiguration, activation: Linear.Activation) throws {
        let (width, epsilon) = (configuration.hiddenSize, configuration.layerNormEpsilon)
        let attention = weights.scoped("self_attn")
        attentionNorm = try LayerNorm(weights.scoped("layer_norm1"), features: width, epsilon: epsilon)
        query = try Linear(attention.scoped("q_proj"), input: width, output: width)
        key = try Linear(attention.scoped("k_proj"), input: width, output: width)
        value = try Linear(attention.scoped("v_proj"), input: width, output: width)
        attentionOutput = try Linear(attention.scoped("out_proj"), input: width, output: width)
        heads = configuration.attentionHeads
        mlpNorm = try LayerNorm(weights.scoped("layer_norm2"), features: width, epsilon: epsilon)
        mlpInput = try Linear(weights.scoped("mlp.fc1"), input: width, output: configuration.intermediateSize)
        mlpOutput = try Linear(weights.scoped("mlp.fc2"), input: configuration.intermediateSize, output: width)
        self.activation = activation
    }

    /// `hidden` `[N, L, width]` in, the same shape out.
    func callAsFunction(_ hidden: Tensor) -> Tensor {
        let normalized = attentionNorm(hidden)
        let attended = ScaledDotProductAttention.compute(query: query(normalized), key: key(normalized),
                                                         value: value(normalized), heads: heads, causal: true,
                                                         precision: hidden.dtype)
        let afterAttention = attentionOutput(attended, adding: hidden)
        let expanded = mlpInput(mlpNorm(afterAttention), activation: activation)
        return mlpOutput(expanded, adding: afterAttention)
    }
}
