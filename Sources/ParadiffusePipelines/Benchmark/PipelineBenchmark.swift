import Foundation
import ParadiffuseLoading
import ParadiffuseModels
import ParadiffuseTensors
import ParadiffuseTokenizers

/// Times the components of a Stable Diffusion folder one at a time, as a text-to-image generation of one image of
/// `width`x`height` runs them: the text encoder on one prompt and one negative prompt (77 tokens each, diffusers'
/// `encode_prompt` with guidance), the UNet at the guided batch (2 latents per image) on latents of
/// `width`/8 x `height`/8 with random 77-token text embeddings, and the VAE decoding (and, when asked, encoding) one
/// image. Each component is loaded alone, run once untimed, then `iterations` times; its memory is released before
/// the next one loads, so each reports its own peak resident memory.
public struct PipelineBenchmark {
    public enum Component: String, CaseIterable, Sendable {
        case textEncoder = "text-encoder"
        case unet
        case vaeDecode = "vae-decode"
        case vaeEncode = "vae-encode"

        /// The components a text-to-image generation runs (VAE encoding only serves image-to-image).
        public static let textToImage: [Component] = [.textEncoder, .unet, .vaeDecode]

        /// The folders of a diffusers pipeline the component needs.
        var folderNames: [String] {
            switch self {
            case .textEncoder: ["tokenizer", "text_encoder"]
            case .unet: ["unet"]
            case .vaeDecode, .vaeEncode: ["vae"]
            }
        }
    }

    /// The prompts the text encoder is timed on; every prompt is padded to the tokenizer's 77 tokens anyway.
    static let prompt = "a photo of a cat", negativePrompt = "blurry"
    /// The length of the random text embeddings the UNet attends to: CLIP's 77 tokens.
    static let textTokens = 77

    public let modelFolder: URL
    public let components: [Component]
    public let width: Int
    public let height: Int
    /// Latents per UNet forward pass: 2 for one image with classifier-free guidance.
    public let unetBatch: Int
    public let iterations: Int
    public let precision: Precision
    private let folder: DiffusersFolder
    private let vaeScaleFactor: Int

    /// Whether `folder` is a Stable Diffusion pipeline folder: a `model_index.json` listing a UNet2DConditionModel
    /// `unet` and an AutoencoderKL `vae`.
    public static func handles(_ folder: URL) throws -> Bool {
        guard let index = try DiffusersFolder(url: folder).modelIndex else { return false }
        return index.components["unet"]?.className == "UNet2DConditionModel"
            && index.components["vae"]?.className == "AutoencoderKL"
    }

    /// Checks the settings against the folder: `width` and `height` (nil: the UNet's `sample_size` times the VAE's
    /// downsampling factor, 512 for Stable Diffusion 1.5) must be positive multiples of the VAE's downsampling
    /// factor, and each component's folders must exist. `components` nil times those of text-to-image present in
    /// the folder.
    public init(modelFolder: URL, components: [Component]? = nil, width: Int? = nil, height: Int? = nil,
                unetBatch: Int = 2, iterations: Int = 10, precision: Precision = .float32) throws {
        guard try Self.handles(modelFolder) else {
            throw ModelError.invalidInput(parameter: "model", reason:
                "\(modelFolder.path) is not a Stable Diffusion folder (model_index.json with a UNet2DConditionModel "
                + "unet and an AutoencoderKL vae)")
        }
        for (name, value) in [("unetBatch", unetBatch), ("iterations", iterations)] where value < 1 {
            throw ModelError.invalidInput(parameter: name, reason: "is \(value); must be at least 1")
        }
        let folder = try DiffusersFolder(url: modelFolder)
        let listed = folder.modelIndex?.components ?? [:]
        let components = components ?? Component.textToImage.filter { $0.folderNames.allSatisfy { listed[$0] != nil } }
        guard !components.isEmpty else {
            throw ModelError.invalidInput(parameter: "components", reason: "none given")
        }
        for name in Set(components.flatMap(\.folderNames)) { _ = try folder.componentURL(name) }

        let vae = try AutoencoderKLConfiguration.read(folder.componentConfig("vae"))
        let unet = try UNet2DConditionConfiguration.read(folder.componentConfig("unet"))
        let defaultSide = (unet.sampleSize ?? 64) * vae.downsamplingFactor
        for (name, value) in [("width", width), ("height", height)] {
            if let value, value <= 0 || value % vae.downsamplingFactor != 0 {
                throw ModelError.invalidInput(parameter: name, reason:
                    "is \(value); it must be a positive multiple of \(vae.downsamplingFactor), the VAE's downsampling factor")
            }
        }
        self.modelFolder = modelFolder
        self.components = components
        self.width = width ?? defaultSide
        self.height = height ?? defaultSide
        self.unetBatch = unetBatch
        self.iterations = iterations
        self.precision = precision
        self.folder = folder
        vaeScaleFactor = vae.downsamplingFactor
    }

    public func run() throws -> Result {
        let timings = try components.map { component in
            PeakResidentMemory.resetPeak()
            let loadStart = Date()
            let call = try loadedCall(component)
            let loadSeconds = Date().timeIntervalSince(loadStart)
            var outputShape: [Int] = []
            let times = try timedRuns(iterations: iterations) { outputShape = try call() }
            return ComponentTiming(component: component, milliseconds: times, loadSeconds: loadSeconds,
                                   outputShape: outputShape, peakResidentBytes: PeakResidentMemory.bytes)
        }
        return Result(model: modelFolder.path, width: width, height: height, unetBatch: unetBatch,
                      iterations: iterations, precision: precision.rawValue, components: timings)
    }

    /// Loads what `component` needs and returns one timed call, which gives the shape of its output.
    private func loadedCall(_ component: Component) throws -> () throws -> [Int] {
        var generator = TorchGenerator(seed: 0)
        let (latentHeight, latentWidth) = (height / vaeScaleFactor, width / vaeScaleFactor)
        switch component {
        case .textEncoder:
            let encoder = try PromptEncoder(
                tokenizer: try CLIPTokenizer(folder: folder.componentURL("tokenizer")),
                textEncoder: try CLIPTextModel(componentFolder: folder.componentURL("text_encoder"), precision: precision))
            return {
                try encoder.encode([Self.prompt], negativePrompts: [Self.negativePrompt], imagesPerPrompt: 1,
                                   clipSkip: nil, withNegativePrompts: true).conditional.shape
            }
        case .unet:
            let unet = try UNet2DConditionModel(componentFolder: folder.componentURL("unet"), precision: precision)
            let configuration = unet.configuration
            let latents = generator.randn([unetBatch, configuration.inChannels, latentHeight, latentWidth])
            let context = generator.randn([unetBatch, Self.textTokens, configuration.crossAttentionDimension])
            let timesteps = [Float](repeating: 500, count: unetBatch)
            return { try unet(latents, timesteps: timesteps, context: context).shape }
        case .vaeDecode:
            let vae = try AutoencoderKL(componentFolder: folder.componentURL("vae"), precision: precision)
            let latents = generator.randn([1, vae.configuration.latentChannels, latentHeight, latentWidth])
            return { try vae.decode(latents / vae.configuration.scalingFactor).shape }
        case .vaeEncode:
            let vae = try AutoencoderKL(componentFolder: folder.componentURL("vae"), precision: precision)
            let images = generator.randn([1, vae.configuration.inChannels, height, width])
            return { try vae.encode(images).mean.shape }
        }
    }
}
