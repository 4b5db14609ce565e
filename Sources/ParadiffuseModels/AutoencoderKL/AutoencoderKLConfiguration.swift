import Foundation
import ParadiffuseLoading

/// The `config.json` of a diffusers `AutoencoderKL`; absent keys take diffusers' defaults, unknown keys are ignored.
public struct AutoencoderKLConfiguration: KeyedComponentConfiguration, Equatable {
    public var inChannels = 3
    public var outChannels = 3
    public var downBlockTypes = ["DownEncoderBlock2D"]
    public var upBlockTypes = ["UpDecoderBlock2D"]
    public var blockOutChannels = [64]
    public var layersPerBlock = 1
    public var activation = "silu"
    public var latentChannels = 4
    public var normGroups = 32
    /// The image size the VAE was trained at (`sample_size`; of a `[height, width]` pair, the first), which sets
    /// the default tile sizes.
    public var sampleSize = 32
    /// Pipelines scale latents by this before denoising and divide by it before decoding.
    public var scalingFactor: Float = 0.18215
    /// When set, pipelines subtract it before scaling and add it back before decoding.
    public var shiftFactor: Float?
    public var useQuantConv = true
    public var usePostQuantConv = true
    public var midBlockAddsAttention = true

    public init() {}

    /// The keys `AutoencoderKL.from_config` reads.
    public init(_ config: JSONConfig) throws {
        inChannels = try config.value("in_channels", default: inChannels)
        outChannels = try config.value("out_channels", default: outChannels)
        downBlockTypes = try config.value("down_block_types", default: downBlockTypes)
        upBlockTypes = try config.value("up_block_types", default: upBlockTypes)
        blockOutChannels = try config.value("block_out_channels", default: blockOutChannels)
        layersPerBlock = try config.value("layers_per_block", default: layersPerBlock)
        activation = try config.value("act_fn", default: activation)
        latentChannels = try config.value("latent_channels", default: latentChannels)
        normGroups = try config.value("norm_num_groups", default: normGroups)
        if let sizes: [Int] = try? config.optionalValue("sample_size") {
            guard let first = sizes.first else {
                throw LoadingError.invalidConfigValue(config.url, key: "sample_size", reason: "is an empty array")
            }
            sampleSize = first
        } else {
            sampleSize = try config.value("sample_size", default: sampleSize)
        }
        scalingFactor = try config.value("scaling_factor", default: scalingFactor)
        shiftFactor = try config.optionalValue("shift_factor")
        useQuantConv = try config.value("use_quant_conv", default: useQuantConv)
        usePostQuantConv = try config.value("use_post_quant_conv", default: usePostQuantConv)
        midBlockAddsAttention = try config.value("mid_block_add_attention", default: midBlockAddsAttention)
    }

    public func validate(file: String) throws {
        let sizes = ConfigurationSizes(file: file)
        try sizes.require("block_out_channels", entries: blockOutChannels, count: ConfigurationSizes.levels,
                          in: ConfigurationSizes.width)
        try sizes.require("down_block_types", count: downBlockTypes.count, matching: "block_out_channels",
                          blockOutChannels.count)
        try sizes.require("up_block_types", count: upBlockTypes.count, matching: "block_out_channels",
                          blockOutChannels.count)
        try sizes.require("down_block_types", entries: downBlockTypes, oneOf: ["DownEncoderBlock2D"])
        try sizes.require("up_block_types", entries: upBlockTypes, oneOf: ["UpDecoderBlock2D"])
        try sizes.require("act_fn", activation, oneOf: ["silu"], alsoAccepting: ["swish"])
        try sizes.require([("in_channels", inChannels, ConfigurationSizes.imageChannels),
                           ("out_channels", outChannels, ConfigurationSizes.imageChannels),
                           ("latent_channels", latentChannels, ConfigurationSizes.imageChannels)])
        try sizes.require("layers_per_block", layersPerBlock, in: ConfigurationSizes.layers)
        try sizes.require("norm_num_groups", normGroups, in: ConfigurationSizes.width)
        try sizes.require("sample_size", sampleSize, in: ConfigurationSizes.side)
        try sizes.require("norm_num_groups", normGroups, dividesEntriesOf: "block_out_channels", blockOutChannels)
        guard scalingFactor.isFinite, scalingFactor != 0 else {
            throw sizes.fail("scaling_factor", "is \(scalingFactor); it must be a finite non-zero number")
        }
    }

    /// How many times the encoder halves height and width (and the decoder doubles them).
    public var downsamplingFactor: Int { 1 << (blockOutChannels.count - 1) }
}
