import Foundation
import ParadiffuseLoading

/// The `config.json` of a diffusers `DiTTransformer2DModel`, or of the older `Transformer2DModel` with
/// `norm_type` "ada_norm_zero" that DiT checkpoints (facebook/DiT-XL-2-256) were saved as: diffusers loads both as
/// a DiTTransformer2DModel, so absent keys take DiTTransformer2DModel's defaults and unknown keys are ignored.
public struct DiTTransformer2DConfiguration: KeyedComponentConfiguration, Equatable {
    public static let classNames = ["DiTTransformer2DModel", "Transformer2DModel"]

    public var attentionHeads = 16
    public var attentionHeadDimension = 72
    public var inChannels = 4
    /// nil: as many as `inChannels`. Twice `inChannels` means the model also predicts its variance (learned sigma).
    public var outChannels: Int?
    public var layers = 28
    public var attentionBias = true
    /// The side of the (square) latents the model was trained on.
    public var sampleSize = 32
    public var patchSize = 2
    /// "gelu-approximate" (tanh GELU, DiT's) or "gelu".
    public var activation = "gelu-approximate"
    /// The number of classes; the class table has one more row, the null class used for classifier-free guidance.
    public var classCount = 1000
    public var normElementwiseAffine = false
    public var normEpsilon: Float = 1e-5

    public init() {}

    public init(_ config: JSONConfig) throws {
        let sizes = ConfigurationSizes(file: config.url.path), fail = sizes.fail
        if let className = config.className { try sizes.require("_class_name", className, oneOf: Self.classNames) }
        let normType: String? = try config.optionalValue("norm_type")
        if config.className == "Transformer2DModel", normType == nil {
            throw fail("norm_type", "is missing; a Transformer2DModel is a DiT only with norm_type \"ada_norm_zero\"")
        }
        if let normType, normType != "ada_norm_zero" {
            throw fail("norm_type", "is '\(normType)'; DiT models use \"ada_norm_zero\"")
        }
        attentionHeads = try config.value("num_attention_heads", default: attentionHeads)
        attentionHeadDimension = try config.value("attention_head_dim", default: attentionHeadDimension)
        inChannels = try config.value("in_channels", default: inChannels)
        outChannels = try config.optionalValue("out_channels")
        layers = try config.value("num_layers", default: layers)
        attentionBias = try config.value("attention_bias", default: attentionBias)
        sampleSize = try config.value("sample_size", default: sampleSize)
        guard config.contains("patch_size") || config.className != "Transformer2DModel" else {
            throw fail("patch_size", "is missing; a Transformer2DModel without patches is not a DiT")
        }
        patchSize = try config.value("patch_size", default: patchSize)
        activation = try config.value("activation_fn", default: activation)
        if config.values["num_embeds_ada_norm"] == .null {
            throw fail("num_embeds_ada_norm", "is null; ada_norm_zero needs the number of classes")
        }
        classCount = try config.value("num_embeds_ada_norm", default: classCount)
        normElementwiseAffine = try config.value("norm_elementwise_affine", default: normElementwiseAffine)
        normEpsilon = try config.value("norm_eps", default: normEpsilon)
    }

    public func validate(file: String) throws {
        let sizes = ConfigurationSizes(file: file)
        let fail = sizes.fail
        try sizes.require([("num_attention_heads", attentionHeads, ConfigurationSizes.heads),
                           ("attention_head_dim", attentionHeadDimension, ConfigurationSizes.heads),
                           ("in_channels", inChannels, ConfigurationSizes.imageChannels),
                           ("out_channels", outputChannels, ConfigurationSizes.imageChannels),
                           ("num_layers", layers, ConfigurationSizes.layers),
                           ("sample_size", sampleSize, ConfigurationSizes.side),
                           ("patch_size", patchSize, 1...64),
                           ("num_embeds_ada_norm", classCount, ConfigurationSizes.entries)])
        try sizes.requireEpsilon("norm_eps", normEpsilon)
        guard ConfigurationSizes.width.contains(width) else {
            throw fail("attention_head_dim", "× num_attention_heads is a width of \(width); it must be at most "
                + "\(ConfigurationSizes.width.upperBound)")
        }
        try sizes.require("patch_size", patchSize, divides: sampleSize, of: "sample_size")
        guard width % 4 == 0 else {
            throw fail("attention_head_dim", "gives a width of \(width) (heads × head dim); the 2-D sin-cos position "
                + "embedding needs a multiple of 4")
        }
        try sizes.require("activation_fn", activation, oneOf: ["gelu-approximate", "gelu"])
    }

    /// The transformer's width: heads × head dimension.
    public var width: Int { attentionHeads * attentionHeadDimension }
    public var outputChannels: Int { outChannels ?? inChannels }
    /// Whether the output holds a variance prediction after the noise prediction (diffusers' DiTPipeline test:
    /// `out_channels // 2 == in_channels`).
    public var learnsSigma: Bool { outputChannels / 2 == inChannels }
    /// The class index of the unconditional embedding (the table's last row).
    public var nullClass: Int { classCount }
}
