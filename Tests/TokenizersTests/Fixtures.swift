import Foundation
@testable import ParadiffuseTokenizers

/// Tests/Fixtures/clip-tokenizer, made by Tools/fixtures/make_clip_tokenizer.py.
let clipTokenizerFixtures = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // TokenizersTests
    .deletingLastPathComponent()  // Tests
    .appendingPathComponent("Fixtures/clip-tokenizer", isDirectory: true)

/// transformers' ids for the fixture prompts (`prompts.json`).
struct PromptFixtures: Decodable {
    struct Expectation: Decodable {
        let ids: [Int]
        let truncatedText: String?
        /// Only for Stable Diffusion 1.x.
        let encoded: [Int]?
        let decoded: String?

        enum CodingKeys: String, CodingKey {
            case ids, encoded, decoded
            case truncatedText = "truncated_text"
        }
    }

    struct Prompt: Decodable {
        let text: String
        let sd1: Expectation
        let sd2: Expectation
        let sdxlSecond: Expectation

        enum CodingKeys: String, CodingKey {
            case text, sd1, sd2
            case sdxlSecond = "sdxl-2"
        }
    }

    struct AddedTokenPrompt: Decodable {
        let text: String
        let ids: [Int]
        let decoded: String
    }

    let maxLength: Int
    let padTokenIDs: [String: Int]
    let prompts: [Prompt]
    let addedTokenPrompts: [AddedTokenPrompt]

    enum CodingKeys: String, CodingKey {
        case prompts
        case maxLength = "max_length"
        case padTokenIDs = "pad_token_ids"
        case addedTokenPrompts = "added_token_prompts"
    }

    static func load() throws -> PromptFixtures {
        let data = try Data(contentsOf: clipTokenizerFixtures.appendingPathComponent("prompts.json"))
        return try JSONDecoder().decode(PromptFixtures.self, from: data)
    }
}

/// A tokenizer folder: the fixture vocabulary and merges with the configuration files of `configuration`
/// (nil: the top-level Stable Diffusion 1.x files; "sd2", "sdxl-2", "textual-inversion": those subfolders).
func fixtureTokenizer(_ configuration: String? = nil) throws -> CLIPTokenizer {
    guard let configuration else { return try CLIPTokenizer(folder: clipTokenizerFixtures) }
    let folder = try TemporaryFolder()
    try folder.linkVocabularyFiles()
    let configurationFolder = clipTokenizerFixtures.appendingPathComponent(configuration, isDirectory: true)
    for file in try FileManager.default.contentsOfDirectory(atPath: configurationFolder.path) {
        try FileManager.default.copyItem(at: configurationFolder.appendingPathComponent(file), to: folder.file(file))
    }
    return try CLIPTokenizer(folder: folder.url)
}

/// A fresh folder under the system's temporary directory, removed when the value goes away.
final class TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("TokenizersTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    @discardableResult
    func write(_ text: String, to name: String) throws -> URL {
        try Data(text.utf8).write(to: file(name))
        return file(name)
    }

    /// Links the fixture's `vocab.json` and `merges.txt` into the folder (or only the one named).
    func linkVocabularyFiles(only name: String? = nil) throws {
        for fileName in ["vocab.json", "merges.txt"] where name == nil || name == fileName {
            try FileManager.default.createSymbolicLink(at: file(fileName),
                                                       withDestinationURL: clipTokenizerFixtures.appendingPathComponent(fileName))
        }
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}
