import Foundation
import ParadiffuseLoading

/// What a tokenizer folder's `tokenizer_config.json`, `special_tokens_map.json` and `added_tokens.json` say, read
/// the way transformers' `CLIPTokenizer.from_pretrained` reads them. Each file is optional.
///
/// - With an `added_tokens_decoder` in `tokenizer_config.json`, its entries are the added tokens and the special
///   tokens come from `tokenizer_config.json` alone.
/// - Without one but with a `tokenizer.json` (transformers 5 saves only these two files), that file's
///   `added_tokens` are the added tokens, and the special tokens again come from `tokenizer_config.json`.
/// - Without one (older folders), `special_tokens_map.json` overrides `tokenizer_config.json`'s special tokens
///   (so Stable Diffusion 2.x pads with `!`), and `added_tokens.json` lists further tokens.
/// - Special tokens nobody names default to CLIPTokenizer's: `<|startoftext|>` and `<|endoftext|>`.
struct TokenizerConfiguration {
    /// CLIP text encoders have 77 positions; `model_max_length` says so in every Stable Diffusion folder.
    static let defaultMaxLength = 77
    /// Far beyond any text encoder's positions, small enough that a padded prompt cannot exhaust memory.
    static let maxLengthLimit = 1 << 16
    private static let namedTokenKeys = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token",
                                         "mask_token"]
    private static let defaultNamedTokens = ["bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>",
                                             "unk_token": "<|endoftext|>", "pad_token": "<|endoftext|>"]

    let maxLength: Int
    let startToken: String
    let endToken: String
    let padToken: String
    /// Tokens matched in the text before BPE, in the order transformers adds them to the backend tokenizer:
    /// a token added again replaces the earlier entry's flags.
    let addedTokens: [AddedTokenDeclaration]

    init(folder: URL) throws {
        let configURL = folder.appendingPathComponent("tokenizer_config.json")
        let specialTokensURL = folder.appendingPathComponent("special_tokens_map.json")
        let addedTokensURL = folder.appendingPathComponent("added_tokens.json")
        let tokenizerURL = folder.appendingPathComponent("tokenizer.json")
        let config = try TokenizerFile.optionalJSONObject(configURL) ?? [:]

        maxLength = try Self.maxLength(in: config, url: configURL)

        var named: [String: AddedTokenDeclaration] = [:]
        for key in Self.namedTokenKeys {
            named[key] = try Self.declaration(config[key], key: key, url: configURL)
        }
        var extras = try Self.extraSpecialTokens(in: config, url: configURL)
        let declared: [AddedTokenDeclaration]
        if let decoder = config["added_tokens_decoder"] {
            Self.fillDefaults(&named)
            guard case let .object(entries) = decoder else {
                throw TokenizerError.invalidConfiguration(configURL, key: "added_tokens_decoder",
                                                          reason: "expected an object of id → token")
            }
            declared = try Self.addedTokenEntries(entries.map { ($0.key, $0.value) },
                                                  namedContents: Set(named.values.map(\.content)),
                                                  url: configURL, key: "added_tokens_decoder")
        } else if !FileManager.default.fileExists(atPath: folder.appendingPathComponent("vocab.json").path),
                  let tokenizer = try TokenizerFile.optionalJSONObject(tokenizerURL) {
            Self.fillDefaults(&named)
            guard case let .array(list) = tokenizer["added_tokens"] ?? .array([]) else {
                throw TokenizerError.invalidConfiguration(tokenizerURL, key: "added_tokens",
                                                          reason: "expected a list of token objects")
            }
            let entries = list.map { entry in
                guard case let .object(object) = entry, let id = object["id"]?.integer else { return ("", entry) }
                return (String(id), entry)
            }
            declared = try Self.addedTokenEntries(entries, namedContents: Set(named.values.map(\.content)),
                                                  url: tokenizerURL, key: "added_tokens")
        } else {
            if let specialTokens = try TokenizerFile.optionalJSONObject(specialTokensURL) {
                for key in Self.namedTokenKeys {
                    if let value = try Self.declaration(specialTokens[key], key: key, url: specialTokensURL) {
                        named[key] = value
                    }
                }
                extras += try Self.extraSpecialTokens(in: specialTokens, url: specialTokensURL)
            }
            let specialContents = Set(named.values.map(\.content) + extras.map(\.content))
            declared = try Self.legacyAddedTokens(addedTokensURL, specialContents: specialContents)
            Self.fillDefaults(&named)
        }

        func content(_ key: String) throws -> String {
            guard let content = named[key]?.content, !content.isEmpty else {
                let file = config[key] != nil ? configURL : specialTokensURL
                throw TokenizerError.invalidConfiguration(file, key: key, reason: "the token is empty")
            }
            return content
        }
        startToken = try content("bos_token")
        endToken = try content("eos_token")
        padToken = try content("pad_token")
        let declaredContents = Set(declared.map(\.content))
        let special = Self.namedTokenKeys.compactMap { named[$0] } + extras
        addedTokens = declared + special.filter { !declaredContents.contains($0.content) }
    }

    private static func fillDefaults(_ named: inout [String: AddedTokenDeclaration]) {
        for (key, content) in defaultNamedTokens where named[key] == nil {
            named[key] = AddedTokenDeclaration(content: content, normalized: false)
        }
    }

    /// `model_max_length`; transformers saves `int(1e30)` there when a tokenizer has no limit of its own.
    private static func maxLength(in config: [String: JSONValue], url: URL) throws -> Int {
        let key = "model_max_length"
        guard let value = config[key], value != .null else { return defaultMaxLength }
        if case let .number(number) = value, number >= 1e30 { return defaultMaxLength }
        guard let length = value.integer, (2...maxLengthLimit).contains(length) else {
            throw TokenizerError.invalidConfiguration(url, key: key, reason:
                "expected an integer from 2 (start and end tokens) to \(maxLengthLimit), or 1e30 for none, found \(value)")
        }
        return length
    }

    /// A special token given as a string, or as an object with `content` (and `normalized`), as transformers
    /// saves an `AddedToken`. Named special tokens are matched in the text before normalization unless they say
    /// `"normalized": true`.
    private static func declaration(_ value: JSONValue?, key: String, url: URL) throws -> AddedTokenDeclaration? {
        switch value {
        case nil, .null?:
            return nil
        case let .string(content)?:
            return AddedTokenDeclaration(content: content, normalized: false)
        case let .object(object)?:
            guard case let .string(content)? = object["content"] else {
                throw TokenizerError.invalidConfiguration(url, key: key, reason: "the token object has no string 'content'")
            }
            return AddedTokenDeclaration(content: content, normalized: object["normalized"]?.boolean ?? false)
        case let other?:
            throw TokenizerError.invalidConfiguration(url, key: key, reason:
                "expected a token string or an object with 'content', found \(other)")
        }
    }

    private static func extraSpecialTokens(in config: [String: JSONValue], url: URL) throws -> [AddedTokenDeclaration] {
        var extras: [AddedTokenDeclaration] = []
        for key in ["additional_special_tokens", "extra_special_tokens"] {
            guard let value = config[key], value != .null else { continue }
            guard case let .array(list) = value else {
                throw TokenizerError.invalidConfiguration(url, key: key, reason: "expected a list of tokens")
            }
            extras += try list.compactMap { try declaration($0, key: key, url: url) }
        }
        return extras
    }

    /// `added_tokens_decoder` (id → token object) or `tokenizer.json`'s `added_tokens` (objects with their `id`),
    /// added in increasing id order. An object without `normalized` is normalized unless it is special (or named as a
    /// special token, which makes it special).
    private static func addedTokenEntries(_ entries: [(id: String, value: JSONValue)], namedContents: Set<String>,
                                          url: URL, key: String) throws -> [AddedTokenDeclaration] {
        var declarations: [(id: Int, declaration: AddedTokenDeclaration)] = []
        for (idText, value) in entries {
            guard let id = Int(idText), case let .object(object) = value,
                  case let .string(content)? = object["content"] else {
                throw TokenizerError.invalidConfiguration(url, key: key, reason:
                    "entry '\(idText.isEmpty ? "\(value)" : idText)' is not an integer id with a token object that "
                    + "has a string 'content'")
            }
            let special = object["special"]?.boolean ?? false || namedContents.contains(content)
            let normalized = object["normalized"]?.boolean ?? !special
            declarations.append((id, AddedTokenDeclaration(content: content, normalized: normalized)))
        }
        return declarations.sorted { $0.id < $1.id }.map(\.declaration)
    }

    /// `added_tokens.json`: token → id; special tokens among them are matched before normalization, others after.
    private static func legacyAddedTokens(_ url: URL, specialContents: Set<String>) throws -> [AddedTokenDeclaration] {
        guard let entries = try TokenizerFile.optionalJSONObject(url) else { return [] }
        var declarations: [(id: Int, declaration: AddedTokenDeclaration)] = []
        for (content, value) in entries {
            guard let id = value.integer else {
                throw TokenizerError.invalidConfiguration(url, key: content, reason: "expected an integer id")
            }
            let normalized = !specialContents.contains(content)
            declarations.append((id, AddedTokenDeclaration(content: content, normalized: normalized)))
        }
        return declarations.sorted { $0.id < $1.id }.map(\.declaration)
    }
}

/// A token matched as a whole in the text before BPE: in the raw text, or, when `normalized`, in the text after
/// normalization (so `<|ENDOFTEXT|>` matches a normalized `<|endoftext|>`).
struct AddedTokenDeclaration: Equatable {
    let content: String
    let normalized: Bool
}
