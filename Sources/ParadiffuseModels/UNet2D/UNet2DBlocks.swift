import ParadiffuseTensors

/// Settings every block of one UNet2DModel shares.
struct UNet2DBlockSettings {
    let timeEmbedding: Int
    let groups: Int
    let epsilon: Float
    let conditioning: ResnetBlock2D.TimeConditioning
    let headSize: Int?

    func resnet(_ weights: ModelWeights, input: Int, output: Int, outputScaleFactor: Float = 1) throws -> ResnetBlock2D {
        try ResnetBlock2D(weights, input: input, output: output, timeEmbedding: timeEmbedding, groups: groups,
                          epsilon: epsilon, conditioning: conditioning, outputScaleFactor: outputScaleFactor)
    }

    func attention(_ weights: ModelWeights, channels: Int, groups: Int?, rescale: Float = 1) throws -> SpatialSelfAttention {
        try SpatialSelfAttention(weights, channels: channels, headSize: headSize ?? channels, groups: groups,
                                 epsilon: epsilon, rescaleOutputFactor: rescale)
    }
}

/// DownBlock2D / AttnDownBlock2D: ResNet blocks (each optionally followed by attention), then a downsampler.
struct DownBlock2D {
    let resnets: [ResnetBlock2D]
    let attentions: [SpatialSelfAttention]
    let downsampler: Downsample2D?

    init(_ weights: ModelWeights, settings: UNet2DBlockSettings, input: Int, output: Int, layers: Int,
         withAttention: Bool, downsamples: Bool, downsamplePadding: Int) throws {
        resnets = try (0..<layers).map {
            try settings.resnet(weights.scoped("resnets.\($0)"), input: $0 == 0 ? input : output, output: output)
        }
        attentions = withAttention ? try (0..<layers).map {
            try settings.attention(weights.scoped("attentions.\($0)"), channels: output, groups: settings.groups)
        } : []
        downsampler = downsamples
            ? try Downsample2D(weights.scoped("downsamplers.0"), channels: output, padding: downsamplePadding) : nil
    }

    /// The block's output and the states it hands to the up path's skip connections.
    func callAsFunction(_ input: Tensor, embedding: Tensor?) -> (Tensor, [Tensor]) {
        var hidden = input
        var skips: [Tensor] = []
        for (index, resnet) in resnets.enumerated() {
            hidden = resnet(hidden, activatedEmbedding: embedding)
            if !attentions.isEmpty { hidden = attentions[index](hidden) }
            skips.append(hidden)
        }
        if let downsampler {
            hidden = downsampler(hidden)
            skips.append(hidden)
        }
        return (hidden, skips)
    }
}

/// UNetMidBlock2D: ResNet, then (attention, ResNet) pairs.
struct MidBlock2D {
    let first: ResnetBlock2D
    let attentions: [SpatialSelfAttention]
    let resnets: [ResnetBlock2D]

    init(_ weights: ModelWeights, settings: UNet2DBlockSettings, channels: Int, withAttention: Bool,
         attentionGroups: Int?, outputScaleFactor: Float) throws {
        first = try settings.resnet(weights.scoped("resnets.0"), input: channels, output: channels,
                                    outputScaleFactor: outputScaleFactor)
        attentions = withAttention
            ? [try settings.attention(weights.scoped("attentions.0"), channels: channels, groups: attentionGroups,
                                      rescale: outputScaleFactor)] : []
        resnets = [try settings.resnet(weights.scoped("resnets.1"), input: channels, output: channels,
                                       outputScaleFactor: outputScaleFactor)]
    }

    func callAsFunction(_ input: Tensor, embedding: Tensor?) -> Tensor {
        var hidden = first(input, activatedEmbedding: embedding)
        for (index, resnet) in resnets.enumerated() {
            if index < attentions.count { hidden = attentions[index](hidden) }
            hidden = resnet(hidden, activatedEmbedding: embedding)
        }
        return hidden
    }
}

/// UpBlock2D / AttnUpBlock2D: each ResNet block takes the hidden state joined with one skip state.
struct UpBlock2D {
    let resnets: [ResnetBlock2D]
    let attentions: [SpatialSelfAttention]
    let upsampler: Upsample2D?

    init(_ weights: ModelWeights, settings: UNet2DBlockSettings, input: Int, previousOutput: Int, output: Int,
         layers: Int, withAttention: Bool, upsamples: Bool) throws {
        resnets = try (0..<layers).map { index in
            let hiddenChannels = index == 0 ? previousOutput : output
            let skipChannels = index == layers - 1 ? input : output
            return try settings.resnet(weights.scoped("resnets.\(index)"), input: hiddenChannels + skipChannels,
                                       output: output)
        }
        attentions = withAttention ? try (0..<layers).map {
            try settings.attention(weights.scoped("attentions.\($0)"), channels: output, groups: settings.groups)
        } : []
        upsampler = upsamples ? try Upsample2D(weights.scoped("upsamplers.0"), channels: output) : nil
    }

    /// `skips` holds this block's skip states, last used first.
    func callAsFunction(_ input: Tensor, skips: [Tensor], embedding: Tensor?) -> Tensor {
        var hidden = input
        var remaining = skips
        for (index, resnet) in resnets.enumerated() {
            hidden = resnet(hidden.concatenatingChannels(remaining.removeLast()), activatedEmbedding: embedding)
            if !attentions.isEmpty { hidden = attentions[index](hidden) }
        }
        return upsampler.map { $0(hidden) } ?? hidden
    }
}
