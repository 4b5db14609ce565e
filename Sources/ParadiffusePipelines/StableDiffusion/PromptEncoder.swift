import Foundation
import ParadiffuseModels
import ParadiffuseTensors
import ParadiffuseTokenizers

/// diffusers' `encode_prompt` for Stable Diffusion 1.x/2.x: prompts tokenized to the tokenizer's length (cut with
/// a warning when longer), encoded by the CLIP text encoder, each repeated for the images made from it.
public struct PromptEncoder: Sendable {
    public let tokenizer: CLIPTokenizer
    public let textEncoder: CLIPTextModel
    /// Each multi-vector textual-inversion token and what prompts say instead (`<t> <t>_1 <t>_2`), as diffusers'
    /// `maybe_convert_prompt` rewrites them.
    private var multiVectorReplacements: [(token: String, replacement: String)] = []

    /// Checks that the tokenizer's padded length fits the encoder's positions.
    public init(tokenizer: CLIPTokenizer, textEncoder: CLIPTextModel) throws {
        let positions = textEncoder.configuration.maxPositionEmbeddings
        guard tokenizer.maxLength <= positions else {
            throw ModelError.invalidConfiguration(
                file: tokenizer.folder.appendingPathComponent("tokenizer_config.json").path, key: "model_max_length",
                reason: "is \(tokenizer.maxLength), more than the text encoder's \(positions) max_position_embeddings")
        }
        self.tokenizer = tokenizer
        self.textEncoder = textEncoder
    }

    public struct EncodedPrompts {
        /// `[prompts · imagesPerPrompt, L, D]`: prompt 0's embedding `imagesPerPrompt` times, then prompt 1's, …
        public let conditional: Tensor
        /// The negative prompts' embeddings in the same arrangement, when guidance needs them.
        public let unconditional: Tensor?
        /// diffusers' warning for each prompt cut to the tokenizer's length.
        public let truncationWarnings: [String]
    }

    /// Encodes `prompts`; with `withNegativePrompts`, also `negativePrompts` (none: the empty prompt for each
    /// prompt; one: the same for every prompt; otherwise one per prompt). As in diffusers, `clipSkip` applies to
    /// the prompts only and negative prompts are cut without a warning.
    public func encode(_ prompts: [String], negativePrompts: [String], imagesPerPrompt: Int, clipSkip: Int?,
                       withNegativePrompts: Bool) throws -> EncodedPrompts {
        guard !prompts.isEmpty else { throw ModelError.invalidInput(parameter: "prompts", reason: "no prompt given") }
        guard imagesPerPrompt >= 1 else {
            throw ModelError.invalidInput(parameter: "imagesPerPrompt", reason: "is \(imagesPerPrompt); must be at least 1")
        }
        let tokenized = prompts.map { tokenizer.tokenize(convertedForMultiVectorTokens($0)) }
        let warnings = tokenized.compactMap(\.truncatedText).map {
            "The following part of your input was truncated because CLIP can only handle sequences up to "
                + "\(tokenizer.maxLength) tokens: \($0)"
        }
        let conditional = try textEncoder.promptEmbeddings(textEncoder(tokenized.map(\.ids)), clipSkip: clipSkip)
        guard withNegativePrompts else {
            return EncodedPrompts(conditional: repeatingItems(conditional, imagesPerPrompt), unconditional: nil,
                                  truncationWarnings: warnings)
        }
        let negatives: [String]
        switch negativePrompts.count {
        case 0: negatives = Array(repeating: "", count: prompts.count)
        case 1: negatives = Array(repeating: negativePrompts[0], count: prompts.count)
        case prompts.count: negatives = negativePrompts
        default:
            throw ModelError.invalidInput(parameter: "negativePrompts", reason:
                "\(negativePrompts.count) negative prompts for \(prompts.count) prompts: give none, one, or one per prompt")
        }
        let unconditional = try textEncoder(negatives.map { tokenizer.tokenize(convertedForMultiVectorTokens($0)).ids })
            .lastHiddenState
        return EncodedPrompts(conditional: repeatingItems(conditional, imagesPerPrompt),
                              unconditional: repeatingItems(unconditional, imagesPerPrompt),
                              truncationWarnings: warnings)
    }

    /// The encoder with `inversions` loaded, as diffusers' `load_textual_inversion`: each vector's token added to
    /// the tokenizer and its row to the text encoder's token embeddings, in order.
    public func loading(_ inversions: [TextualInversion]) throws -> PromptEncoder {
        var extended = try PromptEncoder(
            tokenizer: inversions.reduce(tokenizer) { try $0.adding($1.tokens) },
            textEncoder: inversions.isEmpty ? textEncoder
                : textEncoder.appendingTokenEmbeddings(Tensor.concatenatingBatches(inversions.map(\.vectors))))
        extended.multiVectorReplacements = multiVectorReplacements + inversions.filter { $0.tokens.count > 1 }
            .map { ($0.token, $0.tokens.joined(separator: " ")) }
        return extended
    }

    /// `prompt` with each multi-vector token it holds replaced by its tokens, as diffusers' `maybe_convert_prompt`.
    private func convertedForMultiVectorTokens(_ prompt: String) -> String {
        multiVectorReplacements.reduce(prompt) { prompt, entry in
            prompt.replacingOccurrences(of: entry.token, with: entry.replacement)
        }
    }

    /// Each item `times` times in a row ([a, b] twice gives [a, a, b, b]), as diffusers' `repeat` + `view`.
    private func repeatingItems(_ tensor: Tensor, _ times: Int) -> Tensor {
        Tensor.concatenatingBatches((0..<tensor.batchSize).flatMap { item in
            Array(repeating: tensor.batchItem(item), count: times)
        })
    }
}
