import Foundation
import ParadiffuseLoading

/// The `config.json` of a diffusers `UNet2DConditionModel` (Stable Diffusion 1.x/2.x); absent keys take diffusers'
/// defaults, unknown keys are ignored, unsupported options are rejected naming the key.
public struct UNet2DConditionConfiguration: KeyedComponentConfiguration, UNetBlockLayout {
    public var sampleSize: Int?
    public var inChannels = 4
    public var outChannels = 4
    public var flipSinToCos = true
    public var frequencyShift: Float = 0
    public var downBlockTypes = ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"]
    public var upBlockTypes = ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"]
    public var midBlockType: String? = "UNetMidBlock2DCrossAttn"
    public var onlyCrossAttention = false
    public var blockOutChannels = [320, 640, 1280, 1280]
    public var layersPerBlock = 2
    public var downsamplePadding = 1
    public var midBlockScaleFactor: Float = 1
    public var normGroups = 32
    public var normEpsilon: Float = 1e-5
    public var crossAttentionDimension = 1280
    public var transformerLayersPerBlock = 1
    /// Attention heads per block (diffusers reads `num_attention_heads`, or — for historical reasons —
    /// `attention_head_dim`, which Stable Diffusion configs use to mean the head count).
    public var attentionHeads = [8, 8, 8, 8]
    /// The key `attentionHeads` was read from, for error messages.
    var attentionHeadsKey = "attention_head_dim"
    public var useLinearProjection = false
    public var attentionBias = false
    /// `time_cond_proj_dim`: the width of a condition added to the timestep embedding (LCM's guidance-scale
    /// embedding), nil for none.
    public var timeConditionWidth: Int?

    public init() {}

    public init(_ config: JSONConfig) throws {
        let sizes = ConfigurationSizes(file: config.url.path), fail = sizes.fail
        sampleSize = try config.optionalValue("sample_size")
        inChannels = try config.value("in_channels", default: inChannels)
        outChannels = try config.value("out_channels", default: outChannels)
        flipSinToCos = try config.value("flip_sin_to_cos", default: flipSinToCos)
        frequencyShift = try config.value("freq_shift", default: frequencyShift)
        downBlockTypes = try config.value("down_block_types", default: downBlockTypes)
        upBlockTypes = try config.value("up_block_types", default: upBlockTypes)
        midBlockType = config.contains("mid_block_type") ? try config.optionalValue("mid_block_type") : midBlockType
        blockOutChannels = try config.value("block_out_channels", default: blockOutChannels)
        layersPerBlock = try config.value("layers_per_block", default: layersPerBlock)
        downsamplePadding = try config.value("downsample_padding", default: downsamplePadding)
        midBlockScaleFactor = try config.value("mid_block_scale_factor", default: midBlockScaleFactor)
        normGroups = try config.value("norm_num_groups", default: normGroups)
        normEpsilon = try config.value("norm_eps", default: normEpsilon)
        crossAttentionDimension = try config.value("cross_attention_dim", default: crossAttentionDimension)
        useLinearProjection = try config.value("use_linear_projection", default: useLinearProjection)
        onlyCrossAttention = try config.value("only_cross_attention", default: onlyCrossAttention)
        if config.contains("transformer_layers_per_block") {
            transformerLayersPerBlock = try config.value("transformer_layers_per_block", as: Int.self)
        }
        let headsKey = config.contains("num_attention_heads") ? "num_attention_heads" : "attention_head_dim"
        attentionHeadsKey = headsKey
        if config.contains(headsKey) {
            if let single = try? config.value(headsKey, as: Int.self) {
                attentionHeads = Array(repeating: single, count: downBlockTypes.count)
            } else {
                attentionHeads = try config.value(headsKey, as: [Int].self)
            }
        } else {
            attentionHeads = Array(repeating: 8, count: downBlockTypes.count)
        }
        timeConditionWidth = try config.optionalValue("time_cond_proj_dim")
        for key in ["class_embed_type", "addition_embed_type", "encoder_hid_dim", "num_class_embeds"] where config.contains(key) {
            throw fail(key, "is set; Stable Diffusion 1.x/2.x UNets do not use it and it is not supported yet")
        }
        if try config.value("dual_cross_attention", default: false) { throw fail("dual_cross_attention", "is not supported") }
        let timeShift: String = try config.value("resnet_time_scale_shift", default: "default")
        try sizes.require("resnet_time_scale_shift", timeShift, oneOf: ["default"])
        let activation: String = try config.value("act_fn", default: "silu")
        try sizes.require("act_fn", activation, oneOf: ["silu"], alsoAccepting: ["swish"])
        let embedding: String = try config.value("time_embedding_type", default: "positional")
        try sizes.require("time_embedding_type", embedding, oneOf: ["positional"])
    }

    public func validate(file: String) throws {
        try validateLayout(file: file, down: ["DownBlock2D", "CrossAttnDownBlock2D"],
                           up: ["UpBlock2D", "CrossAttnUpBlock2D"], mid: "UNetMidBlock2DCrossAttn")
        let sizes = ConfigurationSizes(file: file)
        let fail = sizes.fail
        if let sampleSize { try sizes.require("sample_size", sampleSize, in: ConfigurationSizes.side) }
        try sizes.require("transformer_layers_per_block", transformerLayersPerBlock, in: ConfigurationSizes.layers)
        try sizes.require("cross_attention_dim", crossAttentionDimension, in: ConfigurationSizes.width)
        try sizes.require(attentionHeadsKey, attentionHeads, in: ConfigurationSizes.heads)
        if let timeConditionWidth { try sizes.require("time_cond_proj_dim", timeConditionWidth, in: ConfigurationSizes.width) }
        guard attentionHeads.count == downBlockTypes.count else {
            throw fail(attentionHeadsKey, "has \(attentionHeads.count) entries for \(downBlockTypes.count) blocks")
        }
        for (channels, heads) in zip(blockOutChannels, attentionHeads) where channels % normGroups != 0 || channels % heads != 0 {
            throw fail("block_out_channels", "entry \(channels) is not divisible by norm_num_groups \(normGroups) and \(heads) heads")
        }
    }

    public var timeEmbeddingWidth: Int { blockOutChannels[0] * 4 }

    var blockTransformers: UNetBlockSettings.TransformerSettings? {
        .init(contextWidth: crossAttentionDimension, linearProjection: useLinearProjection,
              onlyCrossAttention: onlyCrossAttention, attentionBias: attentionBias)
    }
    var levelAttentionHeads: [Int] { attentionHeads }
    var levelTransformerLayers: [Int] { Array(repeating: transformerLayersPerBlock, count: blockOutChannels.count) }
}
