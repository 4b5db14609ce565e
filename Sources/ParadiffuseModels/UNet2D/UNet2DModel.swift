import Foundation
import ParadiffuseTensors

/// diffusers' `UNet2DModel`: an unconditional or class-conditional image denoiser (DDPM, score-SDE checkpoints).
public final class UNet2DModel: Sendable {
    public let configuration: UNet2DConfiguration
    /// Samples and outputs are float32; inside, activations between layers have this precision's dtype.
    public let precision: Precision

    private enum TimeProjection {
        case positional
        case fourier(GaussianFourierProjection)
    }

    private enum ClassEmbedding {
        case table(Tensor)
        case timestep(TimestepEmbedding)
    }

    private let convIn: Convolution2D
    private let timeProjection: TimeProjection
    private let timeEmbedding: TimestepEmbedding
    private let classEmbedding: ClassEmbedding?
    private let downBlocks: [DownBlock2D]
    private let midBlock: MidBlock2D?
    private let upBlocks: [UpBlock2D]
    private let normOut: GroupNorm
    private let convOut: Convolution2D

    public init(configuration: UNet2DConfiguration, weights: ModelWeights) throws {
        try configuration.validate(file: "UNet2DModel configuration")
        self.configuration = configuration
        precision = weights.precision
        let channels = configuration.blockOutChannels
        let embeddingWidth = configuration.timeEmbeddingWidth
        convIn = try Convolution2D(weights.scoped("conv_in"), input: configuration.inChannels, output: channels[0],
                                   kernel: 3, padding: 1)
        let projectionWidth: Int
        if configuration.timeEmbeddingType == "fourier" {
            timeProjection = .fourier(try GaussianFourierProjection(weights.scoped("time_proj"), size: channels[0]))
            projectionWidth = 2 * channels[0]
        } else {
            timeProjection = .positional
            projectionWidth = channels[0]
        }
        timeEmbedding = try TimestepEmbedding(weights.scoped("time_embedding"), input: projectionWidth, output: embeddingWidth)
        switch (configuration.classEmbedType, configuration.classEmbedCount) {
        case ("timestep", _):
            classEmbedding = .timestep(try TimestepEmbedding(weights.scoped("class_embedding"), input: projectionWidth,
                                                             output: embeddingWidth))
        case (nil, let count?):
            classEmbedding = .table(try weights.scoped("class_embedding").tensor("weight", shape: [count, embeddingWidth]))
        default:
            classEmbedding = nil
        }
        let settings = UNet2DBlockSettings(
            timeEmbedding: embeddingWidth, groups: configuration.normGroups, epsilon: configuration.normEpsilon,
            conditioning: configuration.resnetTimeScaleShift == "scale_shift" ? .scaleShift : .add,
            headSize: configuration.attentionHeadDimension)

        var output = channels[0]
        downBlocks = try configuration.downBlockTypes.enumerated().map { index, type in
            let input = output
            output = channels[index]
            return try DownBlock2D(weights.scoped("down_blocks.\(index)"), settings: settings, input: input, output: output,
                                   layers: configuration.layersPerBlock, withAttention: type == "AttnDownBlock2D",
                                   downsamples: index < channels.count - 1,
                                   downsamplePadding: configuration.downsamplePadding)
        }
        midBlock = configuration.midBlockType == nil ? nil : try MidBlock2D(
            weights.scoped("mid_block"), settings: settings, channels: channels.last!,
            withAttention: configuration.addAttention,
            attentionGroups: configuration.attentionNormGroups
                ?? (configuration.resnetTimeScaleShift == "default" ? configuration.normGroups : nil),
            outputScaleFactor: configuration.midBlockScaleFactor)
        let reversed = Array(channels.reversed())
        output = reversed[0]
        upBlocks = try configuration.upBlockTypes.enumerated().map { index, type in
            let previous = output
            output = reversed[index]
            return try UpBlock2D(weights.scoped("up_blocks.\(index)"), settings: settings,
                                 input: reversed[min(index + 1, channels.count - 1)], previousOutput: previous,
                                 output: output, layers: configuration.layersPerBlock + 1,
                                 withAttention: type == "AttnUpBlock2D", upsamples: index < channels.count - 1)
        }
        normOut = try GroupNorm(weights.scoped("conv_norm_out"), groups: configuration.normGroups, channels: channels[0],
                                epsilon: configuration.normEpsilon)
        convOut = try Convolution2D(weights.scoped("conv_out"), input: channels[0], output: configuration.outChannels,
                                    kernel: 3, padding: 1)
    }

    /// Checks inputs a caller controls; the forward pass assumes them valid.
    public func validate(sample: Tensor, timesteps: [Float], classLabels: [Float]?) throws {
        let divisor = 1 << (configuration.blockOutChannels.count - 1)
        guard sample.rank == 4, sample.shape[1] == configuration.inChannels else {
            throw ModelError.invalidInput(parameter: "sample",
                                          reason: "shape \(sample.shape) is not [N, \(configuration.inChannels), H, W]")
        }
        guard sample.shape[2] % divisor == 0, sample.shape[3] % divisor == 0 else {
            throw ModelError.invalidInput(parameter: "sample",
                                          reason: "height and width \(sample.shape[2])x\(sample.shape[3]) must be multiples of \(divisor)")
        }
        guard timesteps.count == sample.batchSize else {
            throw ModelError.invalidInput(parameter: "timesteps", reason: "\(timesteps.count) timesteps for a batch of \(sample.batchSize)")
        }
        if case .table(let table) = classEmbedding {
            guard let classLabels, classLabels.count == sample.batchSize else {
                throw ModelError.invalidInput(parameter: "class labels", reason: "this model is class-conditional: give one class per image")
            }
            for label in classLabels where label.rounded(.towardZero) != label || !(0..<table.shape[0]).contains(Int(label)) {
                throw ModelError.invalidInput(parameter: "class labels",
                                              reason: "class \(label) is not a whole number in 0..<\(table.shape[0])")
            }
        } else if classEmbedding == nil, classLabels != nil {
            throw ModelError.invalidInput(parameter: "class labels", reason: "this model is not class-conditional")
        }
    }

    /// The model output for a row-major `[N, C, H, W]` sample, one timestep (and class) per item.
    public func callAsFunction(_ sample: Tensor, timesteps: [Float], classLabels: [Int]) throws -> Tensor {
        try callAsFunction(sample, timesteps: timesteps, classLabels: classLabels.map(Float.init))
    }

    /// The model output for a row-major `[N, C, H, W]` sample, one timestep (and class label) per item. Labels are
    /// whole class indices for an embedding table; `class_embed_type` "timestep" embeds any number, as diffusers does.
    public func callAsFunction(_ sample: Tensor, timesteps: [Float], classLabels: [Float]? = nil) throws -> Tensor {
        try validate(sample: sample, timesteps: timesteps, classLabels: classLabels)
        var input = sample.toRowMajor()
        if configuration.centerInputSample { input = input.map { 2 * $0 - 1 } }

        let projection = timeProjectionOf(timesteps)
        var embedding = timeEmbedding(projection)
        if let classEmbedding, let classLabels {
            embedding = embedding + classEmbeddingOf(classLabels, embedding: classEmbedding)
        }
        let activatedEmbedding = embedding.silu()

        var hidden = convIn(input.toChannelsLast().converted(to: precision.dtype))
        var skips = [hidden]
        for block in downBlocks {
            let (output, blockSkips) = block(hidden, embedding: activatedEmbedding)
            hidden = output
            skips += blockSkips
        }
        if let midBlock { hidden = midBlock(hidden, embedding: activatedEmbedding) }
        for block in upBlocks {
            let count = block.resnets.count
            hidden = block(hidden, skips: Array(skips.suffix(count)), embedding: activatedEmbedding)
            skips.removeLast(count)
        }
        var output = convOut(normOut(hidden, silu: true)).converted(to: .float32).toRowMajor()
        if case .fourier = timeProjection {
            output = output.scaledPerItem(timesteps.map { 1 / $0 })
        }
        return output
    }

    private func timeProjectionOf(_ timesteps: [Float]) -> Tensor {
        switch timeProjection {
        case .positional:
            sinusoidalTimestepEmbedding(timesteps, dimension: configuration.blockOutChannels[0],
                                        flipSinToCos: configuration.flipSinToCos,
                                        frequencyShift: configuration.frequencyShift)
        case .fourier(let projection):
            projection(timesteps)
        }
    }

    private func classEmbeddingOf(_ labels: [Float], embedding: ClassEmbedding) -> Tensor {
        let width = configuration.timeEmbeddingWidth
        switch embedding {
        case .table(let table):
            let rows = table.scalars
            return Tensor(shape: [labels.count, width], scalars: labels.map(Int.init).flatMap { rows[$0 * width..<($0 + 1) * width] })
        case .timestep(let mlp):
            return mlp(timeProjectionOf(labels))
        }
    }
}
