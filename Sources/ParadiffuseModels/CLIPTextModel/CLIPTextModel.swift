import Foundation
import ParadiffuseTensors

/// transformers' `CLIPTextModel`, the Stable Diffusion text encoder: token and position embeddings, a stack of
/// causal pre-norm transformer layers, and a final layer norm.
public final class CLIPTextModel: ComponentModel, Sendable {
    public let configuration: CLIPTextConfiguration
    /// Outputs are float32; between layers, hidden states have this precision's dtype.
    public let precision: Precision

    private let embeddings: CLIPTextEmbeddings
    private let layers: [CLIPEncoderLayer]
    private let finalLayerNorm: LayerNorm

    /// `weights` named as transformers writes them, with or without the `text_model.` prefix that files written
    /// by transformers 4 (and so most Stable Diffusion checkpoints) have.
    public init(configuration: CLIPTextConfiguration, weights: ModelWeights) throws {
        try configuration.validate(file: "CLIPTextModel configuration")
        self.configuration = configuration
        precision = weights.precision
        let model = try weights.contains("text_model.embeddings.token_embedding.weight")
            ? weights.scoped("text_model") : weights
        let activation = try configuration.mlpActivation(file: "CLIPTextModel configuration")
        embeddings = try CLIPTextEmbeddings(model.scoped("embeddings"), configuration: configuration)
        layers = try (0..<configuration.layerCount).map { index in
            try CLIPEncoderLayer(model.scoped("encoder.layers.\(index)"), configuration: configuration,
                                 activation: activation)
        }
        finalLayerNorm = try LayerNorm(model.scoped("final_layer_norm"), features: configuration.hiddenSize,
                                       epsilon: configuration.layerNormEpsilon)
    }

    private init(configuration: CLIPTextConfiguration, precision: Precision, embeddings: CLIPTextEmbeddings,
                 layers: [CLIPEncoderLayer], finalLayerNorm: LayerNorm) {
        self.configuration = configuration
        self.precision = precision
        self.embeddings = embeddings
        self.layers = layers
        self.finalLayerNorm = finalLayerNorm
    }

    /// The model with `rows` `[k, hidden_size]` appended to its token embeddings, for the ids `vocab_size`,
    /// `vocab_size + 1`, … (transformers' `resize_token_embeddings`, then the rows set, as textual inversion does).
    public func appendingTokenEmbeddings(_ rows: Tensor) throws -> CLIPTextModel {
        guard rows.rank == 2, rows.shape[1] == configuration.hiddenSize, rows.shape[0] >= 1 else {
            throw ModelError.invalidInput(parameter: "token embeddings", reason:
                "shape \(rows.shape) is not [k, \(configuration.hiddenSize)] (the text encoder's hidden_size)")
        }
        var extended = configuration
        extended.vocabularySize += rows.shape[0]
        return CLIPTextModel(configuration: extended, precision: precision,
                             embeddings: embeddings.appending(rows: rows.converted(to: .float32)), layers: layers,
                             finalLayerNorm: finalLayerNorm)
    }

    /// Encodes `tokenIDs`, `N` sequences of one length `L` ≤ `max_position_embeddings`, each id in the vocabulary.
    public func callAsFunction(_ tokenIDs: [[Int]]) throws -> CLIPTextModelOutput {
        try validate(tokenIDs)
        var hidden = embeddings(tokenIDs).converted(to: precision.dtype)
        var hiddenStates = [hidden.converted(to: .float32)]
        for layer in layers {
            hidden = layer(hidden)
            hiddenStates.append(hidden.converted(to: .float32))
        }
        let lastHiddenState = finalLayerNorm(hiddenStates.last!)
        return CLIPTextModelOutput(lastHiddenState: lastHiddenState, hiddenStates: hiddenStates,
                                   pooledOutput: pooled(lastHiddenState, at: tokenIDs.map(poolingPosition)))
    }

    /// The prompt embeddings diffusers' Stable Diffusion pipelines take from `output`: with `clipSkip` nil,
    /// `lastHiddenState`; with `clipSkip` k, `final_layer_norm(hidden_states[-(k + 1)])`, the output of the layer
    /// k layers before the last.
    public func promptEmbeddings(_ output: CLIPTextModelOutput, clipSkip: Int?) throws -> Tensor {
        guard let clipSkip else { return output.lastHiddenState }
        guard (0...layers.count).contains(clipSkip) else {
            throw ModelError.invalidInput(parameter: "clipSkip", reason:
                "is \(clipSkip); the text encoder has \(layers.count) layers, so it must be in 0...\(layers.count)")
        }
        return finalLayerNorm(output.hiddenStates[layers.count - clipSkip])
    }

    private func validate(_ tokenIDs: [[Int]]) throws {
        func fail(_ reason: String) -> ModelError { .invalidInput(parameter: "tokenIDs", reason: reason) }
        guard let length = tokenIDs.first?.count, length > 0 else { throw fail("holds no tokens") }
        guard length <= configuration.maxPositionEmbeddings else {
            throw fail("sequences of \(length) tokens are longer than max_position_embeddings "
                + "\(configuration.maxPositionEmbeddings)")
        }
        for (item, sequence) in tokenIDs.enumerated() {
            guard sequence.count == length else {
                throw fail("sequence \(item) has \(sequence.count) tokens, but sequence 0 has \(length)")
            }
            if let position = sequence.firstIndex(where: { !(0..<configuration.vocabularySize).contains($0) }) {
                throw fail("token id \(sequence[position]) (sequence \(item), position \(position)) is outside the "
                    + "vocabulary 0..<\(configuration.vocabularySize) (vocab_size)")
            }
        }
    }

    /// As transformers: the first position of `eos_token_id`, or of the largest id when `eos_token_id` is the
    /// legacy 2; position 0 when the sequence holds no end-of-sequence token.
    private func poolingPosition(_ sequence: [Int]) -> Int {
        if configuration.poolsAtLargestTokenID {
            return sequence.firstIndex(of: sequence.max()!)!
        }
        return sequence.firstIndex(of: configuration.endOfSequenceTokenID) ?? 0
    }

    /// Row `positions[n]` of each item of `hidden` `[N, L, width]`, as `[N, width]`.
    private func pooled(_ hidden: Tensor, at positions: [Int]) -> Tensor {
        let (length, width) = (hidden.shape[1], hidden.shape[2])
        var result = Tensor(uninitializedShape: [positions.count, width])
        hidden.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                for (item, position) in positions.enumerated() {
                    let row = (item * length + position) * width
                    for feature in 0..<width { target[item * width + feature] = source[row + feature] }
                }
            }
        }
        return result
    }
}
