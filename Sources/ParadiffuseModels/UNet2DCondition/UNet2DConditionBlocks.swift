import ParadiffuseTensors

/// CrossAttnDownBlock2D / DownBlock2D: ResNet blocks (each followed by a transformer when cross-attending), then a
/// downsampler.
struct ConditionedDownBlock {
    let resnets: [ResnetBlock2D]
    let transformers: [Transformer2D]
    let downsampler: Downsample2D?

    func callAsFunction(_ input: Tensor, embedding: Tensor, context: Tensor) -> (Tensor, [Tensor]) {
        var hidden = input
        var skips: [Tensor] = []
        for (index, resnet) in resnets.enumerated() {
            hidden = resnet(hidden, activatedEmbedding: embedding)
            if !transformers.isEmpty { hidden = transformers[index](hidden, context: context) }
            skips.append(hidden)
        }
        if let downsampler {
            hidden = downsampler(hidden)
            skips.append(hidden)
        }
        return (hidden, skips)
    }
}

/// UNetMidBlock2DCrossAttn: ResNet, then (transformer, ResNet) pairs.
struct ConditionedMidBlock {
    let first: ResnetBlock2D
    let transformers: [Transformer2D]
    let resnets: [ResnetBlock2D]

    func callAsFunction(_ input: Tensor, embedding: Tensor, context: Tensor) -> Tensor {
        var hidden = first(input, activatedEmbedding: embedding)
        for (transformer, resnet) in zip(transformers, resnets) {
            hidden = resnet(transformer(hidden, context: context), activatedEmbedding: embedding)
        }
        return hidden
    }
}

/// CrossAttnUpBlock2D / UpBlock2D: each ResNet block takes the hidden state joined with one skip state.
struct ConditionedUpBlock {
    let resnets: [ResnetBlock2D]
    let transformers: [Transformer2D]
    let upsampler: Upsample2D?

    /// `outputSize`: the size the upsampler must reach (the next block's skip states), when not simply double.
    func callAsFunction(_ input: Tensor, skips: [Tensor], embedding: Tensor, context: Tensor,
                        outputSize: (height: Int, width: Int)?) -> Tensor {
        var hidden = input
        var remaining = skips
        for (index, resnet) in resnets.enumerated() {
            hidden = resnet(hidden.concatenatingChannels(remaining.removeLast()), activatedEmbedding: embedding)
            if !transformers.isEmpty { hidden = transformers[index](hidden, context: context) }
        }
        return upsampler.map { $0(hidden, size: outputSize) } ?? hidden
    }
}
