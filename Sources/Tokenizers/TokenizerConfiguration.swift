import Foundation

/// What a tokenizer folder's `tokenizer_config.json`, `special_tokens_map.json` and `added_tokens.json` say, read
/// the way transformers' `CLIPTokenizer.from_pretrained` reads them. Each file is optional.
///
/// - With an `added_tokens_decoder` in `tokenizer_config.json`, its entries are the added tokens and the special
///   tokens come from `tokenizer_config.json` alone.
/// - Without one (older folders), `special_tokens_map.json` overrides `tokenizer_config.json`'s special tokens
///   (so Stable Diffusion 2.x pads with `!`), and `added_tokens.json` lists further tokens.
/// - Special tokens nobody names default to CLIPTokenizer's: `<|startoftext|>` and `<|endoftext|>`.
struct TokenizerConfiguration {
    /// CLIP text encoders have 77 positions; `model_max_length` says so in every Stable Diffusion folder.
    static let defaultMaxLength = 77
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
            let namedContents = Set(named.values.map(\.content))
            declared = try Self.decoderEntries(decoder, namedContents: namedContents, url: configURL)
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

        startToken = named["bos_token"]!.content
        endToken = named["eos_token"]!.content
        padToken = named["pad_token"]!.content
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
    private static func maxLength(in config: [String: Any], url: URL) throws -> Int {
        guard let value = config["model_max_length"], !(value is NSNull) else { return defaultMaxLength }
        if let number = value as? NSNumber, !(value is Bool), number.doubleValue >= 1e30 { return defaultMaxLength }
        guard let length = value as? Int, length >= 2 else {
            throw TokenizerError.invalidConfiguration(url, key: "model_max_length", reason:
                "expected an integer of at least 2 (start and end tokens), found \(value)")
        }
        return length
    }

    /// A special token given as a string, or as an object with `content` (and `normalized`), as transformers
    /// saves an `AddedToken`. Named special tokens are matched in the text before normalization unless they say
    /// `"normalized": true`.
    private static func declaration(_ value: Any?, key: String, url: URL) throws -> AddedTokenDeclaration? {
        switch value {
        case nil, is NSNull:
            return nil
        case let content as String:
            return AddedTokenDeclaration(content: content, normalized: false)
        case let object as [String: Any]:
            guard let content = object["content"] as? String else {
                throw TokenizerError.invalidConfiguration(url, key: key, reason: "the token object has no string 'content'")
            }
            return AddedTokenDeclaration(content: content, normalized: object["normalized"] as? Bool ?? false)
        default:
            throw TokenizerError.invalidConfiguration(url, key: key, reason:
                "expected a token string or an object with 'content', found \(value!)")
        }
    }

    private static func extraSpecialTokens(in config: [String: Any], url: URL) throws -> [AddedTokenDeclaration] {
        var extras: [AddedTokenDeclaration] = []
        for key in ["additional_special_tokens", "extra_special_tokens"] {
            guard let value = config[key], !(value is NSNull) else { continue }
            guard let list = value as? [Any] else {
                throw TokenizerError.invalidConfiguration(url, key: key, reason: "expected a list of tokens")
            }
            extras += try list.compactMap { try declaration($0, key: key, url: url) }
        }
        return extras
    }

    /// `added_tokens_decoder`: id → token object, added in increasing id order. An object without `normalized`
    /// is normalized unless it is special (or named as a special token, which makes it special).
    private static func decoderEntries(_ decoder: Any, namedContents: Set<String>,
                                       url: URL) throws -> [AddedTokenDeclaration] {
        let key = "added_tokens_decoder"
        guard let entries = decoder as? [String: Any] else {
            throw TokenizerError.invalidConfiguration(url, key: key, reason: "expected an object of id → token")
        }
        var declarations: [(id: Int, declaration: AddedTokenDeclaration)] = []
        for (idText, value) in entries {
            guard let id = Int(idText), let object = value as? [String: Any],
                  let content = object["content"] as? String else {
                throw TokenizerError.invalidConfiguration(url, key: key, reason:
                    "entry '\(idText)' is not an integer id with a token object that has a string 'content'")
            }
            let special = object["special"] as? Bool ?? false || namedContents.contains(content)
            let normalized = object["normalized"] as? Bool ?? !special
            declarations.append((id, AddedTokenDeclaration(content: content, normalized: normalized)))
        }
        return declarations.sorted { $0.id < $1.id }.map(\.declaration)
    }

    /// `added_tokens.json`: token → id; special tokens among them are matched before normalization, others after.
    private static func legacyAddedTokens(_ url: URL, specialContents: Set<String>) throws -> [AddedTokenDeclaration] {
        guard let entries = try TokenizerFile.optionalJSONObject(url) else { return [] }
        var declarations: [(id: Int, declaration: AddedTokenDeclaration)] = []
        for (content, value) in entries {
            guard let id = value as? Int else {
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
