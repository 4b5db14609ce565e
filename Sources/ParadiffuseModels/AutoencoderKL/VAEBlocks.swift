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

/// diffusers' DownEncoderBlock2D and UpDecoderBlock2D: ResNet blocks without time embedding, then (except at the
/// last level) the resampler of the encoder's or decoder's level.
struct VAELevelBlock {
    enum Resampler {
        /// A stride-2 convolution after zero padding the bottom and right edges (DownEncoderBlock2D).
        case down(Downsample2D)
        /// Nearest 2x upsampling and a convolution (UpDecoderBlock2D).
        case up(Upsample2D)

        func callAsFunction(_ input: Tensor) -> Tensor {
            switch self {
            case .down(let downsampler): downsampler(input)
            case .up(let upsampler): upsampler(input)
            }
        }
    }

    enum Resampling { case down, up }

    let resnets: [ResnetBlock2D]
    let resampler: Resampler?

    init(_ weights: ModelWeights, settings: VAEBlockSettings, input: Int, output: Int, layers: Int,
         resampling: Resampling?) throws {
        resnets = try (0..<layers).map {
            try settings.resnet(weights.scoped("resnets.\($0)"), input: $0 == 0 ? input : output, output: output)
        }
        resampler = switch resampling {
        case .down: .down(try Downsample2D(weights.scoped("downsamplers.0"), channels: output, padding: 0))
        case .up: .up(try Upsample2D(weights.scoped("upsamplers.0"), channels: output))
        case nil: nil
        }
    }

    func callAsFunction(_ input: Tensor) -> Tensor {
        let hidden = resnets.reduce(input) { hidden, resnet in resnet(hidden, activatedEmbedding: nil) }
        return resampler.map { $0(hidden) } ?? hidden
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
