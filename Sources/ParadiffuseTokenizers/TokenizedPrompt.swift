/// A prompt as Stable Diffusion pipelines feed it to the CLIP text encoder (`padding="max_length"`,
/// `truncation=True`), with what truncation removed, which diffusers reports in a warning.
public struct TokenizedPrompt: Sendable, Equatable {
    /// Exactly `length` ids: the start token, the prompt's first `length - 2` tokens, the end token, then the pad token.
    public let ids: [Int]
    /// How many of the prompt's tokens did not fit.
    public let truncatedTokenCount: Int
    /// The removed tokens decoded, as diffusers prints them ("The following part of your input was truncated
    /// because CLIP can only handle sequences up to 77 tokens: …"); nil when nothing was removed.
    public let truncatedText: String?

    public var wasTruncated: Bool { truncatedTokenCount > 0 }
}
