/// What the blocks of a UNet read from its `config.json`: keys UNet2DModel's and UNet2DConditionModel's
/// configurations read alike, and the settings each gives its blocks.
protocol UNetBlockLayout {
    var inChannels: Int { get }
    var outChannels: Int { get }
    var blockOutChannels: [Int] { get }
    var layersPerBlock: Int { get }
    var downBlockTypes: [String] { get }
    var midBlockType: String? { get }
    var upBlockTypes: [String] { get }
    var midBlockScaleFactor: Float { get }
    var normGroups: Int { get }
    var normEpsilon: Float { get }
    var downsamplePadding: Int { get }
    var timeEmbeddingWidth: Int { get }
    /// `resnet_time_scale_shift`.
    var resnetTimeConditioning: ResnetBlock2D.TimeConditioning { get }
    /// nil for a UNet without a context to cross-attend to.
    var blockTransformers: UNetBlockSettings.TransformerSettings? { get }
    /// The attention heads of each level's blocks, top level first (the mid block has the last entry's); read only
    /// after `validate`.
    var levelAttentionHeads: [Int] { get }
    /// `transformer_layers_per_block` of each level, top level first (the mid block has the last entry's).
    var levelTransformerLayers: [Int] { get }
    /// UNetMidBlock2D's `add_attention` and `attn_norm_num_groups`.
    var midBlockAddsAttention: Bool { get }
    var midBlockAttentionGroups: Int? { get }

    /// Checks every key (calling `validateLayout` for these); errors name `file` and the key.
    func validate(file: String) throws
}

extension UNetBlockLayout {
    /// diffusers' defaults.
    var resnetTimeConditioning: ResnetBlock2D.TimeConditioning { .add }
    var blockTransformers: UNetBlockSettings.TransformerSettings? { nil }
    var levelTransformerLayers: [Int] { Array(repeating: 1, count: blockOutChannels.count) }
    var midBlockAddsAttention: Bool { true }
    var midBlockAttentionGroups: Int? { nil }

    /// Checks the sizes and the block types (each in `down`, `up` or `mid`, or a null mid block); errors name `file`
    /// and the key.
    func validateLayout(file: String, down: [String], up: [String], mid: String) throws {
        let sizes = ConfigurationSizes(file: file)
        try sizes.require("block_out_channels", entries: blockOutChannels, count: ConfigurationSizes.levels,
                          in: ConfigurationSizes.width)
        try sizes.require("in_channels", inChannels, in: ConfigurationSizes.imageChannels)
        try sizes.require("out_channels", outChannels, in: ConfigurationSizes.imageChannels)
        try sizes.require("layers_per_block", layersPerBlock, in: ConfigurationSizes.layers)
        try sizes.require("norm_num_groups", normGroups, in: ConfigurationSizes.width)
        try sizes.require("downsample_padding", downsamplePadding, in: 0...1)
        try sizes.requireEpsilon("norm_eps", normEpsilon)
        try sizes.require("down_block_types", count: downBlockTypes.count, matching: "block_out_channels",
                          blockOutChannels.count)
        try sizes.require("up_block_types", count: upBlockTypes.count, matching: "down_block_types", downBlockTypes.count)
        try sizes.require("down_block_types", entries: downBlockTypes, oneOf: down)
        try sizes.require("up_block_types", entries: upBlockTypes, oneOf: up)
        if let midBlockType, midBlockType != mid {
            throw sizes.fail("mid_block_type", "is '\(midBlockType)'; supported: \(mid) or null")
        }
    }
}
