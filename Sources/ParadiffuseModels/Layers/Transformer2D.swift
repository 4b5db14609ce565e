import ParadiffuseTensors

/// diffusers' `Transformer2DModel` on continuous inputs: group norm, projection in (1x1 convolution, or linear
/// with `use_linear_projection`), transformer blocks over the pixels as tokens, projection out, plus the input.
struct Transformer2D {
    enum Projection {
        case convolution(Convolution2D)
        case linear(Linear)
    }

    let norm: GroupNorm
    let projectionIn: Projection
    let blocks: [BasicTransformerBlock]
    let projectionOut: Projection

    init(_ weights: ModelWeights, channels: Int, heads: Int, layers: Int, contextWidth: Int, groups: Int,
         linearProjection: Bool, onlyCrossAttention: Bool, attentionBias: Bool) throws {
        norm = try GroupNorm(weights.scoped("norm"), groups: groups, channels: channels, epsilon: 1e-6)
        func projection(_ name: String) throws -> Projection {
            linearProjection
                ? .linear(try Linear(weights.scoped(name), input: channels, output: channels))
                : .convolution(try Convolution2D(weights.scoped(name), input: channels, output: channels, kernel: 1))
        }
        projectionIn = try projection("proj_in")
        blocks = try (0..<layers).map {
            try BasicTransformerBlock(weights.scoped("transformer_blocks.\($0)"), width: channels, heads: heads,
                                      headSize: channels / heads, contextWidth: contextWidth,
                                      onlyCrossAttention: onlyCrossAttention, attentionBias: attentionBias)
        }
        projectionOut = try projection("proj_out")
    }

    /// input channels-last `[N, C, H, W]`, context `[N, S, C']` (nil: the pixels attend to themselves, as in
    /// diffusers without `encoder_hidden_states`).
    func callAsFunction(_ input: Tensor, context: Tensor?) -> Tensor {
        let (height, width) = (input.shape[2], input.shape[3])
        let normalized = norm(input)
        var tokens: Tensor
        switch projectionIn {
        case .convolution(let convolution): tokens = convolution(normalized).channelsLastAsTokens()
        case .linear(let linear): tokens = linear(normalized.channelsLastAsTokens())
        }
        for block in blocks { tokens = block(tokens, context: context) }
        switch projectionOut {
        case .convolution(let convolution):
            return convolution(tokens.tokensAsChannelsLast(height: height, width: width), adding: input)
        case .linear(let linear):
            return linear(tokens, adding: input.channelsLastAsTokens()).tokensAsChannelsLast(height: height, width: width)
        }
    }
}
