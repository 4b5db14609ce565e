/// The number format a model computes in, chosen when it is loaded.
///
/// `bfloat16` stores convolution and linear weights as bfloat16 (prepacked for AMX) and passes activations
/// between layers as bfloat16; convolutions and matmuls accumulate in float32, and normalization statistics,
/// softmax, timestep embeddings and everything outside the model (scheduler math, latents) stay float32.
public enum Precision: String, Sendable, CaseIterable {
    case float32 = "f32"
    case bfloat16 = "bf16"

    /// The element type of layer weights and of the activations between layers.
    public var dtype: DType {
        switch self {
        case .float32: .float32
        case .bfloat16: .bfloat16
        }
    }
}
