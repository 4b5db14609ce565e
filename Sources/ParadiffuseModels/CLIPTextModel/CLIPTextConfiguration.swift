import Foundation
import ParadiffuseLoading
import ParadiffuseTensors

/// The `config.json` of a transformers `CLIPTextModel` (a Stable Diffusion `text_encoder/`); absent keys take
/// `CLIPTextConfig`'s defaults, unknown keys are ignored.
public struct CLIPTextConfiguration: KeyedComponentConfiguration, Equatable {
    public var vocabularySize = 49408
    public var hiddenSize = 512
    public var intermediateSize = 2048
    public var projectionDimension = 512
    public var layerCount = 12
    public var attentionHeads = 8
    public var maxPositionEmbeddings = 77
    /// `quick_gelu` (OpenAI CLIP, SD 1.x) or `gelu` (OpenCLIP, SD 2.x).
    public var hiddenActivation = "quick_gelu"
    public var layerNormEpsilon: Float = 1e-5
    public var padTokenID = 1
    public var beginningOfSequenceTokenID = 49406
    /// Where the pooled output is taken: the first position of this id, or — for the legacy value 2 that configs
    /// written before transformers' PR #24773 hold — the position of the largest id.
    public var endOfSequenceTokenID = 49407

    public init() {}

    /// The keys `CLIPTextConfig` reads.
    public init(_ config: JSONConfig) throws {
        vocabularySize = try config.value("vocab_size", default: vocabularySize)
        hiddenSize = try config.value("hidden_size", default: hiddenSize)
        intermediateSize = try config.value("intermediate_size", default: intermediateSize)
        projectionDimension = try config.value("projection_dim", default: projectionDimension)
        layerCount = try config.value("num_hidden_layers", default: layerCount)
        attentionHeads = try config.value("num_attention_heads", default: attentionHeads)
        maxPositionEmbeddings = try config.value("max_position_embeddings", default: maxPositionEmbeddings)
        hiddenActivation = try config.value("hidden_act", default: hiddenActivation)
        layerNormEpsilon = try config.value("layer_norm_eps", default: layerNormEpsilon)
        padTokenID = try config.value("pad_token_id", default: padTokenID)
        beginningOfSequenceTokenID = try config.value("bos_token_id", default: beginningOfSequenceTokenID)
        endOfSequenceTokenID = try config.value("eos_token_id", default: endOfSequenceTokenID)
    }

    public func validate(file: String) throws {
        let sizes = ConfigurationSizes(file: file)
        try sizes.require([("vocab_size", vocabularySize, ConfigurationSizes.entries),
                           ("hidden_size", hiddenSize, ConfigurationSizes.width),
                           ("intermediate_size", intermediateSize, ConfigurationSizes.width),
                           ("num_hidden_layers", layerCount, ConfigurationSizes.layers),
                           ("num_attention_heads", attentionHeads, ConfigurationSizes.heads),
                           ("max_position_embeddings", maxPositionEmbeddings, ConfigurationSizes.entries)])
        try sizes.require("num_attention_heads", attentionHeads, divides: hiddenSize, of: "hidden_size")
        _ = try mlpActivation(file: file)
        try sizes.requireEpsilon("layer_norm_eps", layerNormEpsilon)
    }

    /// The MLP's activation (`hidden_act`), fused into its first linear layer.
    func mlpActivation(file: String) throws -> Linear.Activation {
        switch hiddenActivation {
        case "quick_gelu": return .quickGelu
        case "gelu": return .gelu
        default:
            throw ModelError.invalidConfiguration(file: file, key: "hidden_act",
                                                  reason: "is '\(hiddenActivation)'; supported: quick_gelu, gelu")
        }
    }

    /// Whether `eos_token_id` is the legacy 2, for which the pooled output is taken at the largest id.
    var poolsAtLargestTokenID: Bool { endOfSequenceTokenID == 2 }
}
