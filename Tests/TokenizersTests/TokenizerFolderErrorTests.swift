import Foundation
import Testing
@testable import ParadiffuseTokenizers

private func loadingError(_ folder: TemporaryFolder) -> String? {
    do {
        _ = try CLIPTokenizer(folder: folder.url)
        return nil
    } catch {
        return "\(error)"
    }
}

@Test func missingVocabularyIsReportedByName() throws {
    let folder = try TemporaryFolder()
    try folder.linkVocabularyFiles(only: "merges.txt")
    #expect(loadingError(folder) == "tokenizer file \(folder.file("vocab.json").path) does not exist")
}

@Test func missingMergesAreReportedByName() throws {
    let folder = try TemporaryFolder()
    try folder.linkVocabularyFiles(only: "vocab.json")
    #expect(loadingError(folder) == "tokenizer file \(folder.file("merges.txt").path) does not exist")
}

@Test func vocabularyThatIsNotJSONNamesTheFile() throws {
    let folder = try TemporaryFolder()
    try folder.linkVocabularyFiles(only: "merges.txt")
    let vocabulary = try folder.write("{\"a\": 0,\n \"b\" 1}", to: "vocab.json")
    #expect(loadingError(folder) == "cannot read tokenizer file \(vocabulary.path): not valid JSON: "
        + "expected ':' after key 'b' at byte 14 (line 2, column 6)")
}

@Test func vocabularyWithoutByteSymbolsIsRejected() throws {
    let folder = try TemporaryFolder()
    try folder.linkVocabularyFiles(only: "merges.txt")
    let vocabulary = try folder.write(#"{"a": 0, "b": 1}"#, to: "vocab.json")
    #expect(loadingError(folder) == "\(vocabulary.path) is not a byte-level BPE vocabulary: it lacks the symbol 'Ā' of byte 0x00")
}

@Test func vocabularyWithNonIntegerIdIsRejected() throws {
    let folder = try TemporaryFolder()
    try folder.linkVocabularyFiles(only: "merges.txt")
    let vocabulary = try folder.write(#"{"a": "zero"}"#, to: "vocab.json")
    #expect(loadingError(folder) == "\(vocabulary.path) is not a byte-level BPE vocabulary: token 'a' has no integer id from 0 to 16777216, found \"zero\"")
}

@Test func malformedMergeLineNamesFileAndLine() throws {
    let folder = try TemporaryFolder()
    try folder.linkVocabularyFiles(only: "vocab.json")
    let merges = try folder.write("#version: 0.2\ni n\nt h e\n", to: "merges.txt")
    #expect(loadingError(folder) == "\(merges.path), line 3: expected two tokens separated by one space, found 't h e'")
}

@Test func mergeOfTokensOutsideTheVocabularyIsRejected() throws {
    let folder = try TemporaryFolder()
    try folder.linkVocabularyFiles(only: "vocab.json")
    let merges = try folder.write("#version: 0.2\ni n\nxyzzy q\n", to: "merges.txt")
    #expect(loadingError(folder) == "\(merges.path), line 3: token 'xyzzy' is not in the vocabulary")
}

@Test func specialTokenOfWrongTypeNamesFileAndKey() throws {
    let folder = try TemporaryFolder()
    try folder.linkVocabularyFiles()
    let config = try folder.write(#"{"pad_token": 7}"#, to: "tokenizer_config.json")
    #expect(loadingError(folder) == "\(config.path): key 'pad_token': expected a token string or an object with 'content', found 7")
}

@Test func corruptSpecialTokensMapNamesTheFile() throws {
    let folder = try TemporaryFolder()
    try folder.linkVocabularyFiles()
    let map = try folder.write("[1, 2]", to: "special_tokens_map.json")
    #expect(loadingError(folder) == "cannot read tokenizer file \(map.path): expected a JSON object at the top level, found an array")
}

@Test func invalidModelMaxLengthNamesFileAndKey() throws {
    let folder = try TemporaryFolder()
    try folder.linkVocabularyFiles()
    let config = try folder.write(#"{"model_max_length": "long"}"#, to: "tokenizer_config.json")
    #expect(loadingError(folder) == "\(config.path): key 'model_max_length': expected an integer from 2 (start and end tokens) to 65536, or 1e30 for none, found \"long\"")
}

@Test func modelMaxLengthBeyondAnyEncoderIsRejectedBeforePadding() throws {
    let folder = try TemporaryFolder()
    try folder.linkVocabularyFiles()
    let config = try folder.write(#"{"model_max_length": 1e9}"#, to: "tokenizer_config.json")
    #expect(loadingError(folder) == "\(config.path): key 'model_max_length': expected an integer from 2 (start and end tokens) to 65536, or 1e30 for none, found 1000000000")
}

@Test func emptySpecialTokenNamesFileAndKey() throws {
    let folder = try TemporaryFolder()
    try folder.linkVocabularyFiles()
    let config = try folder.write(#"{"bos_token": ""}"#, to: "tokenizer_config.json")
    #expect(loadingError(folder) == "\(config.path): key 'bos_token': the token is empty")
    try FileManager.default.removeItem(at: config)
    let map = try folder.write(#"{"eos_token": {"content": ""}}"#, to: "special_tokens_map.json")
    #expect(loadingError(folder) == "\(map.path): key 'eos_token': the token is empty")
}

/// The fixture vocabulary changed by `edit`, with the fixture merges.
private func folderWithVocabulary(_ edit: (inout [String: Int]) -> Void) throws -> TemporaryFolder {
    let folder = try TemporaryFolder()
    try folder.linkVocabularyFiles(only: "merges.txt")
    let data = try Data(contentsOf: clipTokenizerFixtures.appendingPathComponent("vocab.json"))
    var vocabulary = try JSONDecoder().decode([String: Int].self, from: data)
    edit(&vocabulary)
    try folder.write(String(decoding: try JSONEncoder().encode(vocabulary), as: UTF8.self), to: "vocab.json")
    return folder
}

@Test func tokensSharingAnIdAreRejected() throws {
    let shared = try folderWithVocabulary { $0["<|endoftext|>"] = $0["<|startoftext|>"] }
    let id = try #require(try JSONDecoder().decode([String: Int].self, from: Data(contentsOf:
        clipTokenizerFixtures.appendingPathComponent("vocab.json")))["<|startoftext|>"])
    #expect(loadingError(shared) == "\(shared.file("vocab.json").path) is not a byte-level BPE vocabulary: "
        + "tokens '<|endoftext|>' and '<|startoftext|>' share id \(id)")
    let allZero = try folderWithVocabulary { vocabulary in
        for token in vocabulary.keys { vocabulary[token] = 0 }
    }
    #expect(loadingError(allZero)?.contains("share id 0") == true)
}

@Test func vocabularyWithoutTheStartTokenAddsItAfterTheLastId() throws {
    // Its ids are no longer 0..<count: the vocabulary's size is the end token's id.
    let folder = try folderWithVocabulary { $0["<|startoftext|>"] = nil }
    let tokenizer = try CLIPTokenizer(folder: folder.url)
    let vocabulary = try JSONDecoder().decode([String: Int].self, from: Data(contentsOf: folder.file("vocab.json")))
    #expect(tokenizer.startTokenID == (vocabulary.values.max() ?? 0) + 1)
    #expect(tokenizer.encode("a").first == tokenizer.startTokenID)
    #expect(tokenizer.decode([tokenizer.startTokenID]) == "<|startoftext|>")
}
