import CKernels

/// adaLN-Zero's input to a branch (DiT): tokens `[N, T, C]` float32, layer-normalized per token with float32
/// statistics, optionally scaled and shifted by the norm's own `[C]` weight and bias, then modulated per item:
/// `norm(x) · (1 + scale) + shift` with `shift` and `scale` `[N, C]` (diffusers' `scale[:, None]`), each operation
/// rounded as PyTorch rounds it. The result is float32, or bfloat16 for a bfloat16 linear layer that follows.
public struct ModulatedLayerNorm: Sendable {
    public let weight: Tensor?
    public let bias: Tensor?
    public let epsilon: Float
    public let features: Int

    /// A layer norm without learned parameters (`elementwise_affine=False`).
    public init(features: Int, epsilon: Float) {
        self.features = features
        self.epsilon = epsilon
        weight = nil
        bias = nil
    }

    /// A layer norm with float32 `weight` and `bias` `[features]`.
    public init(weight: Tensor, bias: Tensor, epsilon: Float) {
        precondition(weight.rank == 1 && bias.shape == weight.shape && weight.dtype == .float32 && bias.dtype == .float32,
                     "layer norm affine must be float32 [features], got \(weight) and \(bias)")
        self.weight = weight
        self.bias = bias
        self.epsilon = epsilon
        features = weight.count
    }

    public func callAsFunction(_ tokens: Tensor, shift: Tensor, scale: Tensor, as dtype: DType) -> Tensor {
        precondition(tokens.rank == 3 && tokens.layout == .rowMajor && tokens.dtype == .float32
                     && tokens.shape[2] == features, "modulated layer norm expects float32 [N, T, \(features)], got \(tokens)")
        let (batch, count) = (tokens.shape[0], tokens.shape[1])
        for modulation in [shift, scale] {
            precondition(modulation.shape == [batch, features] && modulation.dtype == .float32,
                         "modulation must be float32 [\(batch), \(features)], got \(modulation)")
        }
        let output = Tensor(uninitializedShape: tokens.shape, dtype: dtype)
        let (input, result) = (tokens.floats, output.storage.bytes)
        let (weights, biases) = (weight?.floats, bias?.floats)
        let isa = CPUCapabilities.InstructionSet.current.kernelLevel
        parallelRows(batch * count, minimumRowsPerTask: 16) { rows in
            pd_modulated_layer_norm(isa, input, result, dtype == .bfloat16 ? 1 : 0, rows.lowerBound, rows.upperBound,
                                    count, features, weights, biases, shift.floats, scale.floats, features, epsilon)
        }
        return output
    }
}

extension Tensor {
    /// `self + gate · update` on float32 tokens `[N, T, C]` (the residual of a gated adaLN-Zero branch), `gate`
    /// `[N, C]` per item, PyTorch's rounding: the product, then the sum.
    public func addingGated(_ update: Tensor, gate: Tensor) -> Tensor {
        precondition(rank == 3 && layout == .rowMajor && dtype == .float32 && update.shape == shape
                     && update.dtype == .float32 && update.layout == .rowMajor,
                     "gated residual expects float32 [N, T, C] tokens and update, got \(self) and \(update)")
        let (batch, count, channels) = (shape[0], shape[1], shape[2])
        precondition(gate.shape == [batch, channels] && gate.dtype == .float32,
                     "gate must be float32 [\(batch), \(channels)], got \(gate)")
        let output = Tensor(uninitializedShape: shape)
        let (residual, branch, gates, result) = (floats, update.floats, gate.floats, output.mutableFloats)
        let isa = CPUCapabilities.InstructionSet.current.kernelLevel
        parallelRows(batch * count, minimumRowsPerTask: 16) { rows in
            pd_add_gated(isa, residual, branch, gates, channels, result, rows.lowerBound, rows.upperBound, count,
                         channels)
        }
        return output
    }
}

extension Tensor {
    /// SiLU of float32 values (adaLN's conditioning, `[N, C]`), as `dtype`, computed on the calling thread: the
    /// conditioning is a few thousand values, less work than waking another thread.
    public func siluActivated(as dtype: DType) -> Tensor {
        precondition(self.dtype == .float32 && layout == .rowMajor, "SiLU expects row-major float32, got \(self)")
        let output = Tensor(uninitializedShape: shape, dtype: dtype)
        pd_silu(CPUCapabilities.InstructionSet.current.kernelLevel, floats, output.storage.bytes,
                dtype == .bfloat16 ? 1 : 0, count)
        return output
    }
}
