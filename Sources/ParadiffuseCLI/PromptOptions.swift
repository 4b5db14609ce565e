import ArgumentParser
import Foundation
import Paradiffuse

/// `generate`'s options for Stable Diffusion folders.
struct PromptOptions: ParsableArguments {
    @Option(name: [.customShort("p"), .long],
            help: "The prompt (Stable Diffusion models); repeat for several prompts, each making --count images.")
    var prompt: [String] = []

    @Option(name: [.customShort("n"), .long], help: "What the images should not show; one for all prompts, or one per prompt.")
    var negativePrompt: [String] = []

    @Option(name: [.customShort("W"), .long], parsing: .unconditional,
            help: "Image width in pixels, a multiple of 8 (default: the model's); with --mask the image and mask are resized to it.")
    var width: Int?

    @Option(name: [.customShort("H"), .long], parsing: .unconditional,
            help: "Image height in pixels, a multiple of 8 (default: the model's); with --mask the image and mask are resized to it.")
    var height: Int?

    @Option(help: ArgumentHelp("Image-to-image: start from this image (PNG or JPEG), resized down to a multiple of 8 pixels if needed.", valueName: "in.png"))
    var image: String?

    @Option(parsing: .unconditional, help: "Image-to-image and inpainting: how much of the image is repainted, in [0, 1] (default 0.8; inpainting 1).")
    var strength: Double?

    @Option(help: ArgumentHelp("Inpainting: repaint where this mask (PNG or JPEG) is white; image and mask are resized to --width x --height (default: the model's size).", valueName: "mask.png"))
    var mask: String?

    @Option(parsing: .unconditional, help: "Guidance rescale φ in [0, 1] (diffusers' guidance_rescale; default 0).")
    var guidanceRescale: Float?

    @Option(parsing: .unconditional, help: "Take the prompt embeddings this many layers before the text encoder's last.")
    var clipSkip: Int?

    @Option(help: "Weights variant, e.g. fp16 for *.fp16.safetensors.")
    var variant: String?

    func validate() throws {
        for (name, value) in [("width", width), ("height", height)] {
            if let value, value < 8 || value > 16_384 || value % 8 != 0 {
                throw ValidationError("--\(name) must be a multiple of 8 in 8...16384, got \(value)")
            }
        }
        if let strength, !(strength.isFinite && (0...1).contains(strength)) {
            throw ValidationError("--strength must be in [0, 1], got \(strength)")
        }
        if let guidanceRescale, !(guidanceRescale.isFinite && (0...1).contains(guidanceRescale)) {
            throw ValidationError("--guidance-rescale must be in [0, 1], got \(guidanceRescale)")
        }
        if let clipSkip, clipSkip < 0 { throw ValidationError("--clip-skip must be 0 or more, got \(clipSkip)") }
        if mask != nil, image == nil { throw ValidationError("--mask needs --image (the image to inpaint)") }
        if strength != nil, image == nil { throw ValidationError("--strength applies with --image only") }
        if image != nil, mask == nil, width != nil || height != nil {
            throw ValidationError("--width and --height apply to text-to-image and inpainting; image-to-image (--image without --mask) takes the image's size, rounded down to a multiple of 8")
        }
        let promptOnly = [("negative-prompt", !negativePrompt.isEmpty), ("image", image != nil),
                          ("guidance-rescale", guidanceRescale != nil), ("clip-skip", clipSkip != nil),
                          ("width", width != nil), ("height", height != nil)]
        for (name, given) in promptOnly where given && prompt.isEmpty {
            throw ValidationError("--\(name) applies to Stable Diffusion models and needs --prompt")
        }
        if !negativePrompt.isEmpty, negativePrompt.count != 1, negativePrompt.count != prompt.count {
            throw ValidationError("give one --negative-prompt for all prompts or one per prompt: \(prompt.count) prompts, \(negativePrompt.count) negative prompts")
        }
    }

    /// The prompt part of the request, with the input image and mask read.
    func request() throws -> PromptRequest? {
        guard !prompt.isEmpty else { return nil }
        var request = PromptRequest(prompts: prompt)
        request.negativePrompts = negativePrompt
        request.width = width
        request.height = height
        request.initImage = try image.map { try RGBImage.read(url: URL(fileURLWithPath: $0)) }
        request.strength = strength
        request.mask = try mask.map { try RGBImage.read(url: URL(fileURLWithPath: $0)) }
        request.guidanceRescale = guidanceRescale ?? 0
        request.clipSkip = clipSkip
        return request
    }
}
