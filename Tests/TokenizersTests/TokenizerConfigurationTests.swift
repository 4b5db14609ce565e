import Foundation
import Testing
@testable import ParadiffuseTokenizers

@Test func folderWithoutConfigurationFilesUsesCLIPDefaults() throws {
    let folder = try TemporaryFolder()
    try folder.linkVocabularyFiles()
    let tokenizer = try CLIPTokenizer(folder: folder.url)
    #expect(tokenizer.maxLength == 77)
    #expect(tokenizer.startTokenID == 49406)
    #expect(tokenizer.endTokenID == 49407)
    #expect(tokenizer.padTokenID == 49407)
}

@Test func modelMaxLengthSetsTheDefaultPaddedLength() throws {
    let folder = try TemporaryFolder()
    try folder.linkVocabularyFiles()
    try folder.write(#"{"model_max_length": 8}"#, to: "tokenizer_config.json")
    let tokenizer = try CLIPTokenizer(folder: folder.url)
    #expect(tokenizer.maxLength == 8)
    #expect(tokenizer.tokenize("a photo of a cat").ids == [49406, 320, 1125, 539, 320, 2368, 49407, 49407])
}

@Test func unlimitedModelMaxLengthAsTransformersSavesItFallsBackTo77() throws {
    let folder = try TemporaryFolder()
    try folder.linkVocabularyFiles()
    try folder.write(#"{"model_max_length": 1000000000000000019884624838656}"#, to: "tokenizer_config.json")
    #expect(try CLIPTokenizer(folder: folder.url).maxLength == 77)
}
