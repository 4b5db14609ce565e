import Foundation
import ParadiffuseLoading
import ParadiffuseModels
import ParadiffuseTensors

/// A `config.json` read as each model's configuration, as loading does (parsed, then checked); each one that
/// passes is built with synthetic weights and run once on a small input. So a configuration that validation lets
/// through but that would trap while building or running (a size no check ties to another, a kernel given a shape
/// it cannot take) is a finding, and the C kernels run under the sanitizers on shapes no test chose.
enum ModelConfigFuzzing {
    /// Weights and input elements a case may use: small models only, so that each run takes milliseconds.
    static let weightLimit = 500_000
    static let activationLimit = 100_000

    static func run(_ data: Data) {
        let url = FuzzTarget.source
        if let configuration = try? UNet2DConfiguration.decode(data, from: url) { try? unet(configuration) }
        guard let config = try? JSONConfig(data: data, url: url) else { return }
        if let configuration = try? UNet2DConditionConfiguration.read(config) { try? conditionedUNet(configuration) }
        if let configuration = try? AutoencoderKLConfiguration.read(config) { try? autoencoder(configuration) }
        if let configuration = try? CLIPTextConfiguration.read(config) { try? textEncoder(configuration) }
        if let configuration = try? DiTTransformer2DConfiguration.read(config) { try? transformer(configuration) }
    }

    private static var weights: ModelWeights { .synthetic(source: "fuzz", elementLimit: weightLimit) }

    /// A sample `[1, channels, side, side]`, or nil when it would be larger than the activation limit.
    private static func sample(channels: Int, side: Int, widest: Int) -> Tensor? {
        guard channels * side * side <= activationLimit, widest * side * side <= activationLimit else { return nil }
        let count = channels * side * side
        return Tensor(shape: [1, channels, side, side], scalars: (0..<count).map { Float($0 % 13) / 13 - 0.5 })
    }

    /// The smallest side every level of a `levels`-level UNet or VAE can halve.
    private static func side(levels: Int) -> Int { max(2, 1 << (levels - 1)) }

    private static func unet(_ configuration: UNet2DConfiguration) throws {
        let model = try UNet2DModel(configuration: configuration, weights: weights)
        let channels = configuration.blockOutChannels
        guard let input = sample(channels: configuration.inChannels, side: side(levels: channels.count),
                                 widest: channels.max() ?? 0) else { return }
        _ = try configuration.isClassConditional
            ? model(input, timesteps: [10], classLabels: [0]) : model(input, timesteps: [10])
    }

    private static func conditionedUNet(_ configuration: UNet2DConditionConfiguration) throws {
        let model = try UNet2DConditionModel(configuration: configuration, weights: weights)
        let channels = configuration.blockOutChannels
        guard let input = sample(channels: configuration.inChannels, side: side(levels: channels.count),
                                 widest: channels.max() ?? 0),
              configuration.crossAttentionDimension * 3 <= activationLimit else { return }
        let context = Tensor(shape: [1, 3, configuration.crossAttentionDimension],
                             scalars: (0..<3 * configuration.crossAttentionDimension).map { Float($0 % 5) / 5 })
        let condition = configuration.timeConditionWidth.map { Tensor(zeros: [1, $0]) }
        _ = try model(input, timesteps: [10], context: context, timestepCondition: condition)
    }

    private static func autoencoder(_ configuration: AutoencoderKLConfiguration) throws {
        let model = try AutoencoderKL(configuration: configuration, weights: weights)
        let widest = configuration.blockOutChannels.max() ?? 0
        let imageSide = 2 * configuration.downsamplingFactor
        if let latents = sample(channels: configuration.latentChannels, side: 2, widest: widest),
           configuration.blockOutChannels.allSatisfy({ $0 * imageSide * imageSide <= activationLimit }) {
            _ = try model.decode(latents)
        }
        if let images = sample(channels: configuration.inChannels, side: imageSide, widest: widest) {
            _ = try model.encode(images)
        }
    }

    private static func textEncoder(_ configuration: CLIPTextConfiguration) throws {
        let model = try CLIPTextModel(configuration: configuration, weights: weights)
        let length = min(4, configuration.maxPositionEmbeddings)
        guard configuration.hiddenSize * length <= activationLimit else { return }
        _ = try model([(0..<length).map { $0 % configuration.vocabularySize }])
    }

    private static func transformer(_ configuration: DiTTransformer2DConfiguration) throws {
        let model = try DiTTransformer2DModel(configuration: configuration, weights: weights)
        let width = configuration.attentionHeads * configuration.attentionHeadDimension
        let side = configuration.sampleSize
        let tokens = (side / configuration.patchSize) * (side / configuration.patchSize)
        guard let input = sample(channels: configuration.inChannels, side: side, widest: 1),
              tokens * width <= activationLimit else { return }
        _ = try model(input, timesteps: [10], classLabels: [0])
    }
}
