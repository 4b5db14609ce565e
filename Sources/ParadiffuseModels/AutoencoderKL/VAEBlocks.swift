import ParadiffuseTensors

/// What every block of one VAE shares: its group count; diffusers fixes epsilon at 1e-6 throughout the VAE.
struct VAEBlockSettings {
    static let epsilon: Float = 1e-6

    let groups: Int

    func resnet(_ weights: ModelWeights, input: Int, output: Int) throws -> ResnetBlock2D {
        try ResnetBlock2D(weights, input: input, output: output, timeEmbedding: nil, groups: groups,
                          epsilon: Self.epsilon, conditioning: .add, outputScaleFactor: 1)
    }

    func norm(_ weights: ModelWeights, channels: Int) throws -> GroupNorm {
        try GroupNorm(weights, groups: groups, channels: channels, epsilon: Self.epsilon)
    }
}

/// DownEncoderBlock2D: ResNet blocks without time embedding, then (except at the last level) a stride-2 convolution
/// after zero padding the bottom and right edges.
struct DownEncoderBlock2D {
    let resnets: [ResnetBlock2D]
    let downsampler: Downsample2D?

    init(_ weights: ModelWeights, settings: VAEBlockSettings, input: Int, output: Int, layers: Int,
         downsamples: Bool) throws {
        resnets = try (0..<layers).map {
            try settings.resnet(weights.scoped("resnets.\($0)"), input: $0 == 0 ? input : output, output: output)
        }
        downsampler = downsamples ? try Downsample2D(weights.scoped("downsamplers.0"), channels: output, padding: 0) : nil
    }

    func callAsFunction(_ input: Tensor) -> Tensor {
        let hidden = resnets.reduce(input) { hidden, resnet in resnet(hidden, activatedEmbedding: nil) }
        return downsampler.map { $0(hidden) } ?? hidden
    }
}

/// UNetMidBlock2D as the VAE builds it: ResNet, single-head self-attention (optional), ResNet; no time embedding.
struct VAEMidBlock {
    let first: ResnetBlock2D
    let attention: SpatialSelfAttention?
    let second: ResnetBlock2D

    init(_ weights: ModelWeights, settings: VAEBlockSettings, channels: Int, withAttention: Bool) throws {
        first = try settings.resnet(weights.scoped("resnets.0"), input: channels, output: channels)
        attention = withAttention
            ? try SpatialSelfAttention(weights.scoped("attentions.0"), channels: channels, headSize: channels,
                                       groups: settings.groups, epsilon: VAEBlockSettings.epsilon,
                                       rescaleOutputFactor: 1)
            : nil
        second = try settings.resnet(weights.scoped("resnets.1"), input: channels, output: channels)
    }

    func callAsFunction(_ input: Tensor) -> Tensor {
        var hidden = first(input, activatedEmbedding: nil)
        if let attention { hidden = attention(hidden) }
        return second(hidden, activatedEmbedding: nil)
    }
}

/// UpDecoderBlock2D: ResNet blocks without time embedding, then (except at the last level) nearest 2x upsampling
/// and a convolution.
struct UpDecoderBlock2D {
    let resnets: [ResnetBlock2D]
    let upsampler: Upsample2D?

    init(_ weights: ModelWeights, settings: VAEBlockSettings, input: Int, output: Int, layers: Int,
         upsamples: Bool) throws {
        resnets = try (0..<layers).map {
            try settings.resnet(weights.scoped("resnets.\($0)"), input: $0 == 0 ? input : output, output: output)
        }
        upsampler = upsamples ? try Upsample2D(weights.scoped("upsamplers.0"), channels: output) : nil
    }

    func callAsFunction(_ input: Tensor) -> Tensor {
        let hidden = resnets.reduce(input) { hidden, resnet in resnet(hidden, activatedEmbedding: nil) }
        return upsampler.map { $0(hidden) } ?? hidden
    }
}
