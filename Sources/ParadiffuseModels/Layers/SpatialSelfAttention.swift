import ParadiffuseTensors

/// Self-attention over the pixels of a feature map, with a residual connection (UNet2DModel's attention block):
/// `(x + out(attention(q(norm(x)), k(norm(x)), v(norm(x))))) / rescale`, all in the input's dtype (bfloat16
/// attention accumulates in float32).
struct SpatialSelfAttention {
    let norm: GroupNorm?
    let query: Linear
    let key: Linear
    let value: Linear
    let output: Linear
    let heads: Int
    let rescale: Float

    init(_ weights: ModelWeights, channels: Int, headSize: Int, groups: Int?, epsilon: Float,
         rescaleOutputFactor: Float) throws {
        norm = try groups.map { try GroupNorm(weights.scoped("group_norm"), groups: $0, channels: channels, epsilon: epsilon) }
        query = try Self.projection(weights, names: ["to_q", "query"], channels: channels)
        key = try Self.projection(weights, names: ["to_k", "key"], channels: channels)
        value = try Self.projection(weights, names: ["to_v", "value"], channels: channels)
        output = try Self.projection(weights, names: ["to_out.0", "proj_attn"], channels: channels)
        heads = channels / headSize
        rescale = rescaleOutputFactor
    }

    private static func projection(_ weights: ModelWeights, names: [String], channels: Int) throws -> Linear {
        let name = try names.first { try weights.contains($0 + ".weight") } ?? names[0]
        return try Linear(weights.scoped(name), input: channels, output: channels)
    }

    func callAsFunction(_ input: Tensor) -> Tensor {
        let (height, width) = (input.shape[2], input.shape[3])
        let tokens = (norm.map { $0(input) } ?? input).channelsLastAsTokens()
        let attended = ScaledDotProductAttention.compute(query: query(tokens), key: key(tokens), value: value(tokens),
                                                         heads: heads, precision: input.dtype)
        return output(attended, adding: input.channelsLastAsTokens(), scale: 1 / rescale)
            .tokensAsChannelsLast(height: height, width: width)
    }
}
