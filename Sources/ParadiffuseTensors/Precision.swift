/// The number format a model computes in, chosen when it is loaded.
///
/// `bfloat16` stores convolution and linear weights as bfloat16 (prepacked for AMX) and passes activations
/// between layers as bfloat16; convolutions and matmuls accumulate in float32, and normalization statistics,
/// softmax, timestep embeddings and everything outside the model (scheduler math, latents) stay float32. It needs a
/// CPU with bfloat16 arithmetic (`CPUCapabilities.computesBFloat16`); elsewhere it loads as `bfloat16Weights`.
/// `bfloat16Weights` keeps bf16's memory saving with float32 arithmetic: weights stored as bfloat16 and widened to
/// float32 as each layer runs.
public enum Precision: String, Sendable, CaseIterable {
    case float32 = "f32"
    case bfloat16 = "bf16"
    case bfloat16Weights = "bf16-weights"

    /// The element type of the activations between layers, and of the layers' arithmetic.
    public var dtype: DType {
        switch self {
        case .float32, .bfloat16Weights: .float32
        case .bfloat16: .bfloat16
        }
    }

    /// The element type convolution and linear weights are kept in.
    public var weightDType: DType {
        switch self {
        case .float32: .float32
        case .bfloat16, .bfloat16Weights: .bfloat16
        }
    }

    /// The precision a model loads in on `cpu`: `bfloat16` becomes `bfloat16Weights` without bfloat16 arithmetic.
    public func resolved(on cpu: CPUCapabilities = .current) -> Precision {
        self == .bfloat16 && !cpu.computesBFloat16 ? .bfloat16Weights : self
    }

    /// The default precision on `cpu`: `bfloat16` where it computes bfloat16 natively, `float32` elsewhere.
    public static func automatic(on cpu: CPUCapabilities = .current) -> Precision {
        cpu.computesBFloat16 ? .bfloat16 : .float32
    }
}
