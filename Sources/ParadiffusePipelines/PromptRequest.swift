/// The Stable Diffusion part of a generation request: prompts, size, and the inputs of image-to-image and inpainting.
public struct PromptRequest: Sendable, Equatable {
    public var prompts: [String]
    /// None, one for every prompt, or one per prompt.
    public var negativePrompts: [String] = []
    /// Image size for text-to-image and inpainting (multiples of 8; default: the model's); image-to-image takes the image's.
    public var width: Int?
    public var height: Int?
    /// Image-to-image (and inpainting) input image.
    public var initImage: RGBImage?
    /// How much of the input image is replaced, in [0, 1] (default 0.8 for image-to-image, 1 for inpainting).
    public var strength: Double?
    /// Inpainting mask: white is repainted, black kept.
    public var mask: RGBImage?
    public var guidanceRescale: Float = 0
    public var clipSkip: Int?

    public init(prompts: [String]) {
        self.prompts = prompts
    }
}
