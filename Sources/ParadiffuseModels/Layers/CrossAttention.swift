import ParadiffuseTensors

/// diffusers' `Attention` as transformer blocks use it: projections of queries from the hidden states and of keys
/// and values from the context (the hidden states themselves for self-attention), attention over heads, and an
/// output projection whose residual add is fused. Queries, keys, values and the attention output keep the hidden
/// states' dtype; in bfloat16 the attention kernel accumulates in float32.
struct CrossAttention {
    let query: Linear
    let key: Linear
    let value: Linear
    let output: Linear
    let heads: Int

    init(_ weights: ModelWeights, width: Int, contextWidth: Int?, heads: Int, headSize: Int, bias: Bool) throws {
        let inner = heads * headSize
        query = try Linear(weights.scoped("to_q"), input: width, output: inner, bias: bias)
        key = try Linear(weights.scoped("to_k"), input: contextWidth ?? width, output: inner, bias: bias)
        value = try Linear(weights.scoped("to_v"), input: contextWidth ?? width, output: inner, bias: bias)
        output = try Linear(weights.scoped("to_out.0"), input: inner, output: width)
        self.heads = heads
    }

    /// `residual + attention(hidden, context)`; hidden `[N, T, C]`, context `[N, S, C']` (nil: self-attention).
    func callAsFunction(_ hidden: Tensor, context: Tensor?, residual: Tensor) -> Tensor {
        let source = context ?? hidden
        let attended = ScaledDotProductAttention.compute(query: query(hidden), key: key(source), value: value(source),
                                                         heads: heads, precision: hidden.dtype)
        return output(attended, adding: residual)
    }
}
