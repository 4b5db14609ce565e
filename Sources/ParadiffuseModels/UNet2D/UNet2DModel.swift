import Foundation
import ParadiffuseTensors

/// diffusers' `UNet2DModel`: an unconditional or class-conditional image denoiser (DDPM, score-SDE checkpoints).
public final class UNet2DModel: ComponentModel, Sendable {
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

    private let timeProjection: TimeProjection
    private let timeEmbedding: TimestepEmbedding
    private let classEmbedding: ClassEmbedding?
    private let backbone: UNetBackbone

    public init(configuration: UNet2DConfiguration, weights: ModelWeights) throws {
        self.configuration = configuration
        precision = weights.precision
        backbone = try UNetBackbone(weights, validating: configuration, file: "UNet2DModel configuration")
        let channels = configuration.blockOutChannels
        let embeddingWidth = configuration.timeEmbeddingWidth
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

        var output = backbone(input, embedding: embedding.silu(), context: nil)
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
