/// How convolution and linear layers store their weights and multiply, chosen when a model is loaded.
///
/// `int8` quantizes weights once at load, symmetrically per output channel (scale = max |w| / 127), and each
/// layer's input at every call, symmetrically per tensor (scale = max |x| / 127); oneDNN multiplies the int8 values
/// with int32 accumulation (AMX `tdpbssd`, or AVX-512 VNNI) and applies both scales, the bias and the fused
/// post-ops in float32, writing the layer's output in the model's `Precision`. Layers whose quantization costs too
/// much quality stay in the model's precision (see `ModelWeights`). CPUs without int8 dot products (VNNI, see
/// `CPUCapabilities.hasInt8DotProducts`) keep 7 bits of each weight: oneDNN halves the weights of its int8
/// convolutions (which linear layers run as there) so that its 16-bit pair sums cannot saturate.
public enum Quantization: String, Sendable, CaseIterable {
    case none
    case int8
}
