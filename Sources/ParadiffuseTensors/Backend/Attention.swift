/// softmax(Q·Kᵀ·scale)·V over heads, on row-major `[N, T, heads·d]` queries, keys and values, without copying
/// heads apart. With `causal`, query `i` attends to keys `0...i` only (torch's `is_causal`, aligned top-left).
/// It runs the flash-style kernel of `FusedAttention`, which never holds more than one 64x256 block of scores per
/// thread, except for float32 heads wider than `widestFusedFloat32Head` (the VAE's single 512-wide head), where
/// oneDNN's matmul + softmax (`unfused`) measured 2x faster: there its blocks of 256 keys and values
/// (512 KiB each) no longer stay in L1.
public enum ScaledDotProductAttention {
    static let widestFusedFloat32Head = 160

    /// `query` `[N, Tq, H·d]`, `key` and `value` `[N, Tk, H·d]`; returns `[N, Tq, H·d]`. `precision` is the
    /// arithmetic: `.bfloat16` rounds Q, K, the softmax weights and V to bfloat16 (float32 accumulation), as
    /// PyTorch's bf16 SDPA does. Inputs are all float32 or, with `.bfloat16` arithmetic, may all be bfloat16;
    /// the output has their dtype.
    public static func compute(query: Tensor, key: Tensor, value: Tensor, heads: Int, scale: Float? = nil,
                               causal: Bool = false, precision: DType = .float32) -> Tensor {
        precondition(query.rank == 3 && key.rank == 3 && value.shape == key.shape, "attention shapes \(query) \(key) \(value)")
        precondition(query.shape[0] == key.shape[0] && query.shape[2] == key.shape[2] && query.shape[2] % heads == 0,
                     "attention: queries \(query.shape), keys \(key.shape), \(heads) heads")
        let headSize = query.shape[2] / heads
        let scale = scale ?? 1 / Float(headSize).squareRoot()
        precondition(query.dtype == .float32 || precision == .bfloat16, "bfloat16 attention inputs need bfloat16 arithmetic")
        if precision == .float32 && headSize > widestFusedFloat32Head {
            return unfused(query: query, key: key, value: value, heads: heads, scale: scale, causal: causal)
        }
        return FusedAttention.compute(query: query, key: key, value: value, heads: heads, scale: scale, causal: causal,
                                      kernel: .fastest(for: precision))
    }
}
