import Foundation
import Testing
@testable import ParadiffuseTokenizers

/// Folders saved by transformers 5 hold `tokenizer.json` and `tokenizer_config.json` only; their ids are
/// transformers' for every fixture prompt (Tools/fixtures/make_tokenizer_json_fixture.py).
struct TokenizerJSONTests {
    struct Expected: Decodable {
        struct Prompt: Decodable {
            let text: String
            let ids: [Int]
        }
        let prompts: [Prompt]
    }

    static let folder = clipTokenizerFixtures.appendingPathComponent("tokenizer-json", isDirectory: true)

    @Test func idsMatchTransformersForEveryPrompt() throws {
        let expected = try JSONDecoder().decode(Expected.self,
                                                from: Data(contentsOf: Self.folder.appendingPathComponent("ids.json")))
        let tokenizer = try CLIPTokenizer(folder: Self.folder)
        #expect(expected.prompts.count >= 200)
        #expect((tokenizer.startTokenID, tokenizer.endTokenID, tokenizer.padTokenID) == (812, 813, 813))
        for prompt in expected.prompts {
            #expect(tokenizer.tokenize(prompt.text).ids == prompt.ids, "prompt \(prompt.text.debugDescription)")
        }
    }

    @Test func aTokenizerJSONThatIsNotCLIPsBPEIsAnErrorNamingIt() throws {
        let folder = try TemporaryFolder()
        let url = try folder.write(#"{"model": {"type": "WordPiece", "vocab": {}}}"#, to: "tokenizer.json")
        #expect {
            _ = try CLIPTokenizer(folder: folder.url)
        } throws: { error in
            "\(error)".contains(url.path) && "\(error)".contains("is not a BPE model")
        }
        try folder.write(#"{"model": {"type": "BPE", "end_of_word_suffix": "</w>", "vocab": {}, "merges": [3]}}"#,
                         to: "tokenizer.json")
        #expect(throws: TokenizerError.self) { _ = try CLIPTokenizer(folder: folder.url) }
    }
}
