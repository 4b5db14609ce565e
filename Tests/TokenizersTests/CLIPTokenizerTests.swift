import Foundation
import Testing
@testable import ParadiffuseTokenizers

@Test func stableDiffusion1IdsMatchTransformersForEveryPrompt() throws {
    let fixtures = try PromptFixtures.load()
    let tokenizer = try fixtureTokenizer()
    #expect(fixtures.prompts.count >= 200)
    #expect(tokenizer.maxLength == fixtures.maxLength)
    #expect(tokenizer.padTokenID == fixtures.padTokenIDs["sd1"])
    for prompt in fixtures.prompts {
        let expected = prompt.sd1
        let tokenized = tokenizer.tokenize(prompt.text)
        #expect(tokenized.ids == expected.ids, "prompt \(prompt.text.debugDescription)")
        #expect(tokenized.truncatedText == expected.truncatedText, "prompt \(prompt.text.debugDescription)")
        #expect(tokenizer.encode(prompt.text) == expected.encoded, "prompt \(prompt.text.debugDescription)")
    }
}

@Test func decodeMatchesTransformers() throws {
    let fixtures = try PromptFixtures.load()
    let tokenizer = try fixtureTokenizer()
    for prompt in fixtures.prompts {
        let encoded = try #require(prompt.sd1.encoded)
        #expect(tokenizer.decode(encoded) == prompt.sd1.decoded, "prompt \(prompt.text.debugDescription)")
    }
}

@Test func stableDiffusion2PadsWithExclamationMarkAndSplitsItOutAsTransformersDoes() throws {
    let fixtures = try PromptFixtures.load()
    let tokenizer = try fixtureTokenizer("sd2")
    #expect(tokenizer.padTokenID == 0)
    #expect(tokenizer.padTokenID == fixtures.padTokenIDs["sd2"])
    for prompt in fixtures.prompts {
        let tokenized = tokenizer.tokenize(prompt.text)
        #expect(tokenized.ids == prompt.sd2.ids, "prompt \(prompt.text.debugDescription)")
        #expect(tokenized.truncatedText == prompt.sd2.truncatedText, "prompt \(prompt.text.debugDescription)")
    }
}

@Test func sdxlSecondTokenizerConfigurationMatchesTransformers() throws {
    let fixtures = try PromptFixtures.load()
    let tokenizer = try fixtureTokenizer("sdxl-2")
    #expect(tokenizer.padTokenID == fixtures.padTokenIDs["sdxl-2"])
    for prompt in fixtures.prompts {
        let tokenized = tokenizer.tokenize(prompt.text)
        #expect(tokenized.ids == prompt.sdxlSecond.ids, "prompt \(prompt.text.debugDescription)")
        #expect(tokenized.truncatedText == prompt.sdxlSecond.truncatedText, "prompt \(prompt.text.debugDescription)")
    }
}

@Test func textualInversionTokensFromAddedTokensFileMatchTransformers() throws {
    let fixtures = try PromptFixtures.load()
    let tokenizer = try fixtureTokenizer("textual-inversion")
    #expect(!fixtures.addedTokenPrompts.isEmpty)
    for prompt in fixtures.addedTokenPrompts {
        #expect(tokenizer.encode(prompt.text) == prompt.ids, "prompt \(prompt.text.debugDescription)")
        #expect(tokenizer.decode(prompt.ids) == prompt.decoded, "prompt \(prompt.text.debugDescription)")
    }
}

@Test func knownPromptsGiveStableDiffusion15Ids() throws {
    let tokenizer = try fixtureTokenizer()
    #expect(tokenizer.startTokenID == 49406)
    #expect(tokenizer.endTokenID == 49407)
    #expect(tokenizer.encode("a photo of a cat") == [49406, 320, 1125, 539, 320, 2368, 49407])
    #expect(tokenizer.encode("A PHOTO  of a\tcat") == [49406, 320, 1125, 539, 320, 2368, 49407])
    #expect(tokenizer.encode("") == [49406, 49407])
}

@Test func truncationReportsHowManyTokensWereCutAndTheirText() throws {
    let tokenizer = try fixtureTokenizer()
    let fits = tokenizer.tokenize(String(repeating: "a ", count: 75))
    #expect(!fits.wasTruncated)
    #expect(fits.truncatedTokenCount == 0)
    #expect(fits.truncatedText == nil)
    #expect(fits.ids.count == 77)

    let prompt = String(repeating: "a photo of a cat ", count: 20)
    let untruncated = tokenizer.encode(prompt)
    let cut = tokenizer.tokenize(prompt)
    #expect(cut.wasTruncated)
    #expect(cut.truncatedTokenCount == untruncated.count - 77)
    #expect(cut.ids == Array(untruncated.prefix(76)) + [tokenizer.endTokenID])
    #expect(cut.truncatedText == tokenizer.decode(Array(untruncated[76..<(untruncated.count - 1)])))
    #expect(cut.truncatedText?.hasPrefix("a photo of a cat a photo") == true)
}

@Test func explicitLengthPadsAndTruncatesToIt() throws {
    let tokenizer = try fixtureTokenizer("sd2")
    let short = tokenizer.tokenize("a photo of a cat", length: 10)
    #expect(short.ids == [49406, 320, 1125, 539, 320, 2368, 49407, 0, 0, 0])
    #expect(!short.wasTruncated)
    let long = tokenizer.tokenize("a photo of a cat", length: 4)
    #expect(long.ids == [49406, 320, 1125, 49407])
    #expect(long.truncatedTokenCount == 3)
    #expect(long.truncatedText == "of a cat")
}

/// Release builds take about 40 µs per prompt; the limits leave room for debug builds (about 5x slower) and for
/// other work on the machine: the cached figure is the fastest of several passes over all prompts.
@Test func tokenizingAPromptTakesWellUnderAMillisecond() throws {
    let fixtures = try PromptFixtures.load()
    let tokenizer = try fixtureTokenizer()
    let texts = fixtures.prompts.map(\.text)
    let clock = ContinuousClock()
    let firstPass = clock.measure { for text in texts { _ = tokenizer.tokenize(text) } }
    let cachedPasses = (0..<5).map { _ in clock.measure { for text in texts { _ = tokenizer.tokenize(text) } } }
    let firstPerPrompt = firstPass / texts.count
    let cachedPerPrompt = cachedPasses.min()! / texts.count
    print("CLIPTokenizer: \(firstPerPrompt) per prompt on first sight, \(cachedPerPrompt) with cached words")
    #expect(cachedPerPrompt < .milliseconds(1))
    #expect(firstPerPrompt < .milliseconds(3))
}
