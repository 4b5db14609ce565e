import Foundation
import ParadiffuseLoading

/// The `config.json` of a diffusers `UNet2DModel`; absent keys take diffusers' defaults, unknown keys are ignored.
public struct UNet2DConfiguration: ComponentConfiguration, Decodable, UNetBlockLayout {
    public var sampleSize: [Int]?
    public var inChannels = 3
    public var outChannels = 3
    public var centerInputSample = false
    public var timeEmbeddingType = "positional"
    public var timeEmbeddingDimension: Int?
    public var frequencyShift: Float = 0
    public var flipSinToCos = true
    public var downBlockTypes = ["DownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D"]
    public var midBlockType: String? = "UNetMidBlock2D"
    public var upBlockTypes = ["AttnUpBlock2D", "AttnUpBlock2D", "AttnUpBlock2D", "UpBlock2D"]
    public var blockOutChannels = [224, 448, 672, 896]
    public var layersPerBlock = 2
    public var midBlockScaleFactor: Float = 1
    public var downsamplePadding = 1
    public var downsampleType = "conv"
    public var upsampleType = "conv"
    public var activation = "silu"
    public var attentionHeadDimension: Int? = 8
    public var normGroups = 32
    public var attentionNormGroups: Int?
    public var normEpsilon: Float = 1e-5
    public var resnetTimeScaleShift = "default"
    public var addAttention = true
    public var classEmbedType: String?
    public var classEmbedCount: Int?

    enum CodingKeys: String, CodingKey {
        case sampleSize = "sample_size", inChannels = "in_channels", outChannels = "out_channels"
        case centerInputSample = "center_input_sample", timeEmbeddingType = "time_embedding_type"
        case timeEmbeddingDimension = "time_embedding_dim", frequencyShift = "freq_shift"
        case flipSinToCos = "flip_sin_to_cos", downBlockTypes = "down_block_types", midBlockType = "mid_block_type"
        case upBlockTypes = "up_block_types", blockOutChannels = "block_out_channels"
        case layersPerBlock = "layers_per_block", midBlockScaleFactor = "mid_block_scale_factor"
        case downsamplePadding = "downsample_padding", downsampleType = "downsample_type"
        case upsampleType = "upsample_type", activation = "act_fn", attentionHeadDimension = "attention_head_dim"
        case normGroups = "norm_num_groups", attentionNormGroups = "attn_norm_num_groups", normEpsilon = "norm_eps"
        case resnetTimeScaleShift = "resnet_time_scale_shift", addAttention = "add_attention"
        case classEmbedType = "class_embed_type", classEmbedCount = "num_class_embeds"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        func read<T: Decodable>(_ key: CodingKeys, _ target: inout T) throws {
            if let value = try values.decodeIfPresent(T.self, forKey: key) { target = value }
        }
        /// A default that the key, when present, replaces: null too.
        func readNullable<T: Decodable>(_ key: CodingKeys, _ target: inout T?) throws {
            if values.contains(key) { target = try values.decodeIfPresent(T.self, forKey: key) }
        }
        if let size = try? values.decodeIfPresent(Int.self, forKey: .sampleSize) {
            sampleSize = [size, size]
        } else {
            sampleSize = try values.decodeIfPresent([Int].self, forKey: .sampleSize)
        }
        try read(.inChannels, &inChannels)
        try read(.outChannels, &outChannels)
        try read(.centerInputSample, &centerInputSample)
        try read(.timeEmbeddingType, &timeEmbeddingType)
        timeEmbeddingDimension = try values.decodeIfPresent(Int.self, forKey: .timeEmbeddingDimension)
        try read(.frequencyShift, &frequencyShift)
        try read(.flipSinToCos, &flipSinToCos)
        try read(.downBlockTypes, &downBlockTypes)
        try readNullable(.midBlockType, &midBlockType)
        try read(.upBlockTypes, &upBlockTypes)
        try read(.blockOutChannels, &blockOutChannels)
        try read(.layersPerBlock, &layersPerBlock)
        try read(.midBlockScaleFactor, &midBlockScaleFactor)
        try read(.downsamplePadding, &downsamplePadding)
        try read(.downsampleType, &downsampleType)
        try read(.upsampleType, &upsampleType)
        try read(.activation, &activation)
        try readNullable(.attentionHeadDimension, &attentionHeadDimension)
        try read(.normGroups, &normGroups)
        attentionNormGroups = try values.decodeIfPresent(Int.self, forKey: .attentionNormGroups)
        try read(.normEpsilon, &normEpsilon)
        try read(.resnetTimeScaleShift, &resnetTimeScaleShift)
        try read(.addAttention, &addAttention)
        classEmbedType = try values.decodeIfPresent(String.self, forKey: .classEmbedType)
        classEmbedCount = try values.decodeIfPresent(Int.self, forKey: .classEmbedCount)
    }

    public static func decode(_ data: Data, from url: URL) throws -> UNet2DConfiguration {
        // Strict JSON first, with the place of any problem (Foundation's decoder below only maps it to fields).
        _ = try JSONValue.parse(data, from: url)
        let configuration: UNet2DConfiguration
        do { configuration = try JSONDecoder().decode(UNet2DConfiguration.self, from: data) } catch let DecodingError.typeMismatch(_, context) {
            throw ModelError.invalidConfiguration(file: url.path, key: context.codingPath.map(\.stringValue).joined(separator: "."),
                                                  reason: "has the wrong type: \(context.debugDescription)")
        } catch {
            throw ModelError.invalidConfiguration(file: url.path, key: "config.json", reason: "is not valid JSON: \(error)")
        }
        try configuration.validate(file: url.path)
        return configuration
    }

    public func validate(file: String) throws {
        try validateLayout(file: file, down: ["DownBlock2D", "AttnDownBlock2D"], up: ["UpBlock2D", "AttnUpBlock2D"],
                           mid: "UNetMidBlock2D")
        let sizes = ConfigurationSizes(file: file)
        let fail = sizes.fail
        if let sampleSize {
            try sizes.require("sample_size", entries: sampleSize, count: 2...2, in: ConfigurationSizes.side)
        }
        if let attentionNormGroups {
            try sizes.require("attn_norm_num_groups", attentionNormGroups, in: ConfigurationSizes.width)
            if let channels = blockOutChannels.last, channels % attentionNormGroups != 0 {
                throw fail("attn_norm_num_groups", "(\(attentionNormGroups)) does not divide the mid block's \(channels) channels")
            }
        }
        if let attentionHeadDimension { try sizes.require("attention_head_dim", attentionHeadDimension, in: ConfigurationSizes.heads) }
        if let timeEmbeddingDimension { try sizes.require("time_embedding_dim", timeEmbeddingDimension, in: ConfigurationSizes.width) }
        if let classEmbedCount { try sizes.require("num_class_embeds", classEmbedCount, in: ConfigurationSizes.entries) }
        try sizes.require("time_embedding_type", timeEmbeddingType, oneOf: ["positional", "fourier"])
        try sizes.require("resnet_time_scale_shift", resnetTimeScaleShift, oneOf: ["default", "scale_shift"])
        try sizes.require("act_fn", activation, oneOf: ["silu"], alsoAccepting: ["swish"])
        try sizes.require("downsample_type", downsampleType, oneOf: ["conv"])
        try sizes.require("upsample_type", upsampleType, oneOf: ["conv"])
        if let classEmbedType, classEmbedType != "timestep" {
            throw fail("class_embed_type", "is '\(classEmbedType)'; supported: null, timestep")
        }
        try sizes.require("norm_num_groups", normGroups, dividesEntriesOf: "block_out_channels", blockOutChannels)
        if let head = attentionHeadDimension {
            try sizes.require("attention_head_dim", head, dividesEntriesOf: "block_out_channels", blockOutChannels)
        }
    }

    public var timeEmbeddingWidth: Int { timeEmbeddingDimension ?? blockOutChannels[0] * 4 }
    public var isClassConditional: Bool { classEmbedType != nil || classEmbedCount != nil }

    /// Heads of `attention_head_dim` channels (one head over all channels without it).
    var levelAttentionHeads: [Int] { blockOutChannels.map { $0 / (attentionHeadDimension ?? $0) } }
    var resnetTimeConditioning: ResnetBlock2D.TimeConditioning { resnetTimeScaleShift == "scale_shift" ? .scaleShift : .add }
    var midBlockAddsAttention: Bool { addAttention }
    var midBlockAttentionGroups: Int? { attentionNormGroups }
}
