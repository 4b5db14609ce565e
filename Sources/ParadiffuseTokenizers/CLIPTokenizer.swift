import Foundation

/// The CLIP tokenizer of Stable Diffusion folders: byte-level BPE over `vocab.json` and `merges.txt`, with the
/// special tokens, padding token and length limit of `tokenizer_config.json` / `special_tokens_map.json`.
///
/// It gives the ids transformers' `CLIPTokenizer.from_pretrained(folder)` gives (transformers 5, which is what
/// diffusers loads for the `tokenizer` component). A text is split into added tokens (start/end, pad, …) and the
/// text between them, which is normalized (`CLIPNormalizer`), split into words (`CLIPPreTokenizer`) and
/// byte-pair encoded word by word (`BytePairEncoding`, cached per word).
public struct CLIPTokenizer: Sendable {
    /// `model_max_length`: the encoder's number of positions (77), the default padded length.
    public let maxLength: Int
    public let startTokenID: Int
    public let endTokenID: Int
    /// `<|endoftext|>` (49407) for Stable Diffusion 1.x, `!` (0) for 2.x and SDXL's second tokenizer.
    public let padTokenID: Int
    /// The folder it was loaded from, for messages about its files.
    public let folder: URL

    private let bytePairEncoding: BytePairEncoding
    private var addedTokens: [AddedTokenDeclaration]
    private var addedVocabulary: AddedVocabulary

    /// Loads a tokenizer folder (a pipeline's `tokenizer` or `tokenizer_2`): `vocab.json` and `merges.txt`, or
    /// without them the `tokenizer.json` that transformers 5 saves instead, are required; `tokenizer_config.json`,
    /// `special_tokens_map.json` and `added_tokens.json` optional.
    public init(folder: URL) throws {
        let configuration = try TokenizerConfiguration(folder: folder)
        let vocabulary = folder.appendingPathComponent("vocab.json")
        let tokenizerJSON = folder.appendingPathComponent("tokenizer.json")
        bytePairEncoding = !FileManager.default.fileExists(atPath: vocabulary.path)
            && FileManager.default.fileExists(atPath: tokenizerJSON.path)
            ? try BytePairEncoding(tokenizerJSON: tokenizerJSON)
            : try BytePairEncoding(vocabularyURL: vocabulary, mergesURL: folder.appendingPathComponent("merges.txt"))
        addedTokens = configuration.addedTokens
        addedVocabulary = AddedVocabulary(addedTokens, vocabulary: bytePairEncoding.tokenIDs)
        // The configuration lists every special token, none empty, among the added tokens.
        let ids = addedVocabulary.ids
        func id(_ token: String) throws -> Int {
            guard let id = ids[token] else {
                throw TokenizerError.invalidConfiguration(folder.appendingPathComponent("tokenizer_config.json"),
                                                          key: "added_tokens", reason: "'\(token)' has no id")
            }
            return id
        }
        maxLength = configuration.maxLength
        startTokenID = try id(configuration.startToken)
        endTokenID = try id(configuration.endToken)
        padTokenID = try id(configuration.padToken)
        self.folder = folder
    }

    /// The tokenizer with `tokens` added, as transformers' `add_tokens` adds them (matched after normalization),
    /// taking the ids after every existing one in order; a token it already has is an error.
    public func adding(_ tokens: [String]) throws -> CLIPTokenizer {
        for token in tokens where token.isEmpty || id(of: token) != nil {
            throw TokenizerError.invalidConfiguration(folder, key: "added token", reason: token.isEmpty
                ? "an added token cannot be empty" : "'\(token)' is already a token of this tokenizer")
        }
        var extended = self
        extended.addedTokens += tokens.map { AddedTokenDeclaration(content: $0, normalized: true) }
        extended.addedVocabulary = AddedVocabulary(extended.addedTokens, vocabulary: bytePairEncoding.tokenIDs)
        return extended
    }

    /// The id of `token` in the vocabulary or among the added tokens.
    public func id(of token: String) -> Int? { addedVocabulary.ids[token] ?? bytePairEncoding.tokenIDs[token] }

    /// The start token, the text's tokens and the end token; no truncation, no padding.
    public func encode(_ text: String) -> [Int] {
        [startTokenID] + textIDs(text) + [endTokenID]
    }

    /// The text as Stable Diffusion pipelines tokenize it: cut to `length - 2` tokens between the start and end
    /// tokens, then padded with the pad token to `length` ids (`maxLength` unless given; at least 2).
    public func tokenize(_ text: String, length: Int? = nil) -> TokenizedPrompt {
        let length = length ?? maxLength
        precondition(length >= 2, "a tokenized prompt needs room for the start and end tokens")
        let textIDs = textIDs(text)
        let kept = textIDs.prefix(length - 2)
        let removed = textIDs.dropFirst(length - 2)
        let ids = [startTokenID] + kept + [endTokenID]
        return TokenizedPrompt(
            ids: ids + Array(repeating: padTokenID, count: length - ids.count),
            truncatedTokenCount: removed.count,
            truncatedText: removed.isEmpty ? nil : decode(Array(removed)))
    }

    /// The text of some ids as transformers' `decode` gives it, special tokens included: the tokens' bytes joined
    /// (invalid UTF-8 replaced by U+FFFD), every end-of-word mark `</w>` a space, surrounding whitespace trimmed.
    public func decode(_ ids: [Int]) -> String {
        var bytes: [UInt8] = []
        for id in ids {
            guard let token = addedVocabulary.tokens[id] ?? bytePairEncoding.tokens[id] else { continue }
            let tokenBytes = token.unicodeScalars.compactMap { ByteLevelAlphabet.bytes[$0] }
            bytes += tokenBytes.count == token.unicodeScalars.count ? tokenBytes : Array(token.utf8)
        }
        // On bytes, not Characters: `</w>` followed by a combining mark is one grapheme cluster with it.
        let text = String(decoding: Self.replacingEndOfWordMarks(in: bytes), as: UTF8.self)
        return PythonWhitespace.trimming(text)
    }

    private static func replacingEndOfWordMarks(in bytes: [UInt8]) -> [UInt8] {
        let mark = Array(BytePairEncoding.endOfWordSuffix.utf8)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index...].starts(with: mark) {
                result.append(UInt8(ascii: " "))
                index += mark.count
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }

    private func textIDs(_ text: String) -> [Int] {
        addedVocabulary.pieces(of: text).flatMap { piece -> [Int] in
            switch piece {
            case let .token(id):
                [id]
            case let .text(normalized):
                CLIPPreTokenizer.words(in: normalized).flatMap { bytePairEncoding.encode(word: $0) }
            }
        }
    }
}
