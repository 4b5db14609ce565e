import Foundation
import ParadiffuseLoading

/// CLIP's byte-level byte-pair encoding: `vocab.json` (token → id) and `merges.txt` (merge rules by priority).
///
/// A word starts as its UTF-8 bytes in the byte-level alphabet, the last one carrying the end-of-word suffix
/// `</w>`; then, as long as some neighbouring pair has a merge rule, every occurrence of the pair with the highest
/// priority (earliest line) is merged, left to right. Results are cached per word.
struct BytePairEncoding: Sendable {
    static let endOfWordSuffix = "</w>"
    /// Ids are positions in the text encoder's embedding table, far below this.
    static let maxTokenID = 1 << 24

    /// The vocabulary's tokens by id.
    let tokens: [Int: String]
    let tokenIDs: [String: Int]
    private let merges: [SymbolPair: Merge]
    private let byteIDs: [Int]
    private let wordFinalByteIDs: [Int]
    private let cache = WordCache()

    /// `vocab.json` and `merges.txt`, as transformers 4 saves a CLIP tokenizer.
    init(vocabularyURL: URL, mergesURL: URL) throws {
        try self.init(vocabulary: Self.vocabulary(TokenizerFile.jsonObject(vocabularyURL), url: vocabularyURL),
                      vocabularyURL: vocabularyURL, merges: Self.mergeLines(mergesURL), mergesURL: mergesURL)
    }

    /// The `model` of a `tokenizers` `tokenizer.json`, as transformers 5 saves a CLIP tokenizer: a BPE model with
    /// CLIP's end-of-word suffix, its `vocab` (token → id) and `merges` (`"a b"` strings or `["a", "b"]` pairs).
    init(tokenizerJSON url: URL) throws {
        guard case let .object(model)? = try TokenizerFile.jsonObject(url)["model"],
              model["type"] == .string("BPE") else {
            throw TokenizerError.invalidVocabulary(url, reason: "its 'model' is not a BPE model")
        }
        guard model["end_of_word_suffix"] == .string(Self.endOfWordSuffix) else {
            throw TokenizerError.invalidVocabulary(url, reason:
                "its BPE model's 'end_of_word_suffix' is not CLIP's '\(Self.endOfWordSuffix)'")
        }
        guard case let .object(vocabulary)? = model["vocab"], case let .array(entries)? = model["merges"] else {
            throw TokenizerError.invalidVocabulary(url, reason: "its BPE model has no 'vocab' object and 'merges' list")
        }
        let merges = try entries.enumerated().map { index, entry -> MergeRule in
            if case let .string(rule) = entry { return try MergeRule(rule, line: index + 1, url: url) }
            guard case let .array(pair) = entry, pair.count == 2, case let .string(left) = pair[0],
                  case let .string(right) = pair[1] else {
                throw TokenizerError.invalidMerge(url, line: index + 1, reason:
                    "merge \(index + 1) is neither \"a b\" nor [\"a\", \"b\"]: \(entry)")
            }
            return MergeRule(left: left, right: right, line: index + 1)
        }
        try self.init(vocabulary: Self.vocabulary(vocabulary, url: url), vocabularyURL: url, merges: merges,
                      mergesURL: url)
    }

    private init(vocabulary: [String: Int], vocabularyURL: URL, merges: [MergeRule], mergesURL: URL) throws {
        tokenIDs = vocabulary
        tokens = Dictionary(uniqueKeysWithValues: vocabulary.map { ($0.value, $0.key) })
        byteIDs = try Self.byteSymbolIDs(suffix: "", vocabulary: vocabulary, url: vocabularyURL)
        wordFinalByteIDs = try Self.byteSymbolIDs(suffix: Self.endOfWordSuffix, vocabulary: vocabulary,
                                                  url: vocabularyURL)
        self.merges = try Self.mergeTable(merges, vocabulary: vocabulary, url: mergesURL)
    }

    /// The ids of one pre-tokenized word.
    func encode(word: String) -> [Int] {
        if let cached = cache.ids(of: word) { return cached }
        let bytes = Array(word.utf8)
        var symbols = bytes.indices.map { index in
            index == bytes.count - 1 ? wordFinalByteIDs[Int(bytes[index])] : byteIDs[Int(bytes[index])]
        }
        while symbols.count > 1, let best = highestPriorityMerge(in: symbols) {
            symbols = applying(best, to: symbols)
        }
        cache.store(symbols, for: word)
        return symbols
    }

    private func highestPriorityMerge(in symbols: [Int]) -> (pair: SymbolPair, merge: Merge)? {
        var best: (pair: SymbolPair, merge: Merge)?
        for index in 0..<(symbols.count - 1) {
            let pair = SymbolPair(left: symbols[index], right: symbols[index + 1])
            if let merge = merges[pair], merge.rank < best?.merge.rank ?? Int.max {
                best = (pair, merge)
            }
        }
        return best
    }

    private func applying(_ best: (pair: SymbolPair, merge: Merge), to symbols: [Int]) -> [Int] {
        var merged: [Int] = []
        merged.reserveCapacity(symbols.count - 1)
        var index = 0
        while index < symbols.count {
            if index + 1 < symbols.count, symbols[index] == best.pair.left, symbols[index + 1] == best.pair.right {
                merged.append(best.merge.id)
                index += 2
            } else {
                merged.append(symbols[index])
                index += 1
            }
        }
        return merged
    }

    private static func vocabulary(_ entries: [String: JSONValue], url: URL) throws -> [String: Int] {
        var vocabulary: [String: Int] = [:]
        var tokensByID: [Int: String] = [:]
        for (token, value) in entries {
            guard let id = value.integer, id >= 0, id <= maxTokenID else {
                throw TokenizerError.invalidVocabulary(url, reason:
                    "token '\(token)' has no integer id from 0 to \(maxTokenID), found \(value)")
            }
            if let other = tokensByID.updateValue(token, forKey: id) {
                let pair = [other, token].sorted()
                throw TokenizerError.invalidVocabulary(url, reason: "tokens '\(pair[0])' and '\(pair[1])' share id \(id)")
            }
            vocabulary[token] = id
        }
        return vocabulary
    }

    private static func byteSymbolIDs(suffix: String, vocabulary: [String: Int], url: URL) throws -> [Int] {
        try ByteLevelAlphabet.characters.enumerated().map { byte, character in
            let symbol = String(Character(character)) + suffix
            guard let id = vocabulary[symbol] else {
                let hex = String(byte, radix: 16, uppercase: true)
                throw TokenizerError.invalidVocabulary(url, reason:
                    "it lacks the symbol '\(symbol)' of byte 0x\(hex.count == 1 ? "0" + hex : hex)")
            }
            return id
        }
    }

    /// The rules of `merges.txt` in file order (their priority), skipping `#version` lines, as `tokenizers` reads
    /// them.
    private static func mergeLines(_ url: URL) throws -> [MergeRule] {
        var lines = try TokenizerFile.text(url).split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        return try lines.enumerated().compactMap { offset, rawLine in
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            return line.hasPrefix("#version") ? nil : try MergeRule(String(line), line: offset + 1, url: url)
        }
    }

    /// Rules by priority, each pair of vocabulary tokens to the id of the token they join (a rule given twice keeps
    /// its later priority, as in `tokenizers`).
    private static func mergeTable(_ rules: [MergeRule], vocabulary: [String: Int], url: URL) throws -> [SymbolPair: Merge] {
        var merges: [SymbolPair: Merge] = [:]
        merges.reserveCapacity(rules.count)
        for (rank, rule) in rules.enumerated() {
            let lookup = { (token: String) throws -> Int in
                guard let id = vocabulary[token] else {
                    throw TokenizerError.invalidMerge(url, line: rule.line, reason: "token '\(token)' is not in the vocabulary")
                }
                return id
            }
            let pair = try SymbolPair(left: lookup(rule.left), right: lookup(rule.right))
            merges[pair] = Merge(rank: rank, id: try lookup(rule.left + rule.right))
        }
        return merges
    }
}

/// One merge rule and where it was read (a line of `merges.txt`, an entry of `tokenizer.json`'s list).
private struct MergeRule {
    let left: String
    let right: String
    let line: Int
}

extension MergeRule {
    /// `"a b"`: two tokens separated by one space.
    init(_ rule: String, line: Int, url: URL) throws {
        let parts = rule.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw TokenizerError.invalidMerge(url, line: line, reason:
                "expected two tokens separated by one space, found '\(rule)'")
        }
        self.init(left: String(parts[0]), right: String(parts[1]), line: line)
    }
}

private struct SymbolPair: Hashable, Sendable {
    let left: Int
    let right: Int
}

private struct Merge: Sendable {
    /// Lower merges first.
    let rank: Int
    /// The id of the joined token.
    let id: Int
}

/// Ids of words already encoded, shared by copies of a tokenizer; bounded like `tokenizers`' BPE cache.
private final class WordCache: @unchecked Sendable {
    private static let capacity = 10_000
    private let lock = NSLock()
    private var idsByWord: [String: [Int]] = [:]

    func ids(of word: String) -> [Int]? {
        lock.withLock { idsByWord[word] }
    }

    func store(_ ids: [Int], for word: String) {
        lock.withLock {
            if idsByWord.count < Self.capacity { idsByWord[word] = ids }
        }
    }
}
