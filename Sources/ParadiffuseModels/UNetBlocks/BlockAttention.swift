import ParadiffuseTensors

/// The attention a UNet block puts after a ResNet: self-attention over the pixels (`Attn…Block2D`,
/// `UNetMidBlock2D`), which ignores the context, or a transformer that cross-attends to it (`CrossAttn…Block2D`,
/// `UNetMidBlock2DCrossAttn`).
enum BlockAttention {
    enum Kind {
        case spatial
        case transformer(UNetBlockSettings.TransformerSettings)
    }

    case spatial(SpatialSelfAttention)
    case transformer(Transformer2D)

    /// input channels-last `[N, C, H, W]`, context `[N, S, C']` or nil.
    func callAsFunction(_ input: Tensor, context: Tensor?) -> Tensor {
        switch self {
        case .spatial(let attention): attention(input)
        case .transformer(let transformer): transformer(input, context: context)
        }
    }
}
