import ParadiffuseTensors

/// diffusers' `Attention` as DiT's blocks use it: query, key and value projections of the same tokens, attention
/// over heads, and an output projection (without a residual: adaLN-Zero gates the result before adding it).
/// Queries, keys and values stay in the tokens' dtype, which is the attention's arithmetic (bfloat16 products with
/// float32 accumulation for bfloat16 tokens); the output projection returns float32 for the gated residual.
struct DiTSelfAttention {
    let query: Linear
    let key: Linear
    let value: Linear
    let output: Linear
    let heads: Int

    init(_ weights: ModelWeights, width: Int, heads: Int, headSize: Int, bias: Bool) throws {
        let inner = heads * headSize
        query = try Linear(weights.scoped("to_q"), input: width, output: inner, bias: bias)
        key = try Linear(weights.scoped("to_k"), input: width, output: inner, bias: bias)
        value = try Linear(weights.scoped("to_v"), input: width, output: inner, bias: bias)
        output = try Linear(weights.scoped("to_out.0"), input: inner, output: width)
        self.heads = heads
    }

    /// tokens `[N, T, C]` in the projections' dtype to float32 `[N, T, C]`.
    func callAsFunction(_ tokens: Tensor) -> Tensor {
        let attended = ScaledDotProductAttention.compute(query: query(tokens), key: key(tokens), value: value(tokens),
                                                         heads: heads, precision: tokens.dtype)
        return output(attended, as: .float32)
    }
}
