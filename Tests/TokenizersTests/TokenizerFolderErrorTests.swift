import Foundation
import Testing
@testable import Tokenizers

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
    let vocabulary = try folder.write(#"{"a": 0, "#, to: "vocab.json")
    let message = try #require(loadingError(folder))
    #expect(message.hasPrefix("cannot read tokenizer file \(vocabulary.path): invalid JSON"))
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
    #expect(loadingError(folder) == "\(vocabulary.path) is not a byte-level BPE vocabulary: token 'a' has no non-negative integer id")
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
    #expect(loadingError(folder) == "cannot read tokenizer file \(map.path): expected a JSON object at the top level")
}

@Test func invalidModelMaxLengthNamesFileAndKey() throws {
    let folder = try TemporaryFolder()
    try folder.linkVocabularyFiles()
    let config = try folder.write(#"{"model_max_length": "long"}"#, to: "tokenizer_config.json")
    #expect(loadingError(folder) == "\(config.path): key 'model_max_length': expected an integer of at least 2 (start and end tokens), found long")
}
