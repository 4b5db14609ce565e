import ParadiffuseSchedulers
import ParadiffuseTensors

/// The settings that produced an image, stored in its PNG so the image can be reproduced: a "parameters" text
/// chunk in the AUTOMATIC1111 web UI's form (the prompt, `Negative prompt: …`, then `Steps: …, Sampler: …, CFG
/// scale: …, Seed: …, Size: …, Model: …`), which its "PNG info", ComfyUI and other tools read, and a "Software"
/// chunk.
public struct GenerationParameters: Sendable {
    /// The model folder's name or path.
    public var model: String
    public var scheduler: String
    public var steps: Int
    public var seed: UInt64
    public var width: Int
    public var height: Int
    public var eta: Float?
    public var guidance: Float?
    public var classLabel: Int?
    /// The image's place in its batch, as (index, count), when the batch held more than one image.
    public var batchPosition: (index: Int, count: Int)?
    /// Text-to-image prompts, written first as other tools do (`prompt`, then `Negative prompt: ...`).
    public var prompt: String?
    public var negativePrompt: String?
    /// The precision the models computed in (`Precision`'s name), and their quantization when not none.
    public var precision: String?
    public var quantization: String?
    /// The σ schedule asked for (the web UI's "Schedule type": Karras, Exponential, Beta), nil for the model's.
    public var sigmaSpacing: SigmaSpacing?
    /// Image-to-image and inpainting's strength (the web UI's "Denoising strength").
    public var denoisingStrength: Double?
    public var clipSkip: Int?

    public init(model: String, scheduler: String, steps: Int, seed: UInt64, width: Int, height: Int,
                eta: Float? = nil, guidance: Float? = nil, classLabel: Int? = nil,
                batchPosition: (index: Int, count: Int)? = nil) {
        self.model = model
        self.scheduler = scheduler
        self.steps = steps
        self.seed = seed
        self.width = width
        self.height = height
        self.eta = eta
        self.guidance = guidance
        self.classLabel = classLabel
        self.batchPosition = batchPosition
    }

    /// `[prompt\nNegative prompt: ...\n]Steps: 50, Sampler: DDIM, CFG scale: 7.5, Seed: 42, Size: 512x512, Model: ...`
    public var text: String {
        var lines: [String] = []
        if let prompt { lines.append(prompt) }
        if let negativePrompt, !negativePrompt.isEmpty { lines.append("Negative prompt: \(negativePrompt)") }
        return (lines + [settingsLine]).joined(separator: "\n")
    }

    private var settingsLine: String {
        var fields = [("Steps", "\(steps)"), ("Sampler", (try? SchedulerKind(named: scheduler))?.webUIName ?? scheduler)]
        if let sigmaSpacing, sigmaSpacing != .timesteps {
            fields.append(("Schedule type", sigmaSpacing.rawValue.prefix(1).uppercased() + sigmaSpacing.rawValue.dropFirst()))
        }
        if let guidance { fields.append(("CFG scale", "\(guidance)")) }
        fields += [("Seed", "\(seed)"), ("Size", "\(width)x\(height)"), ("Model", model)]
        if let denoisingStrength { fields.append(("Denoising strength", "\(denoisingStrength)")) }
        if let clipSkip { fields.append(("Clip skip", "\(clipSkip)")) }
        if let eta { fields.append(("Eta", "\(eta)")) }
        if let classLabel { fields.append(("Class", "\(classLabel)")) }
        if let batchPosition { fields.append(("Batch", "\(batchPosition.index + 1) of \(batchPosition.count)")) }
        if let precision { fields.append(("Precision", precision)) }
        if let quantization { fields.append(("Quantization", quantization)) }
        fields.append(("Version", "Paradiffuse \(ParadiffuseVersion.current)"))
        return fields.map { "\($0.0): \($0.1)" }.joined(separator: ", ")
    }

    public var pngTextChunks: [(String, String)] {
        [("parameters", text), ("Software", "Paradiffuse \(ParadiffuseVersion.current)")]
    }

    /// These parameters for each of `images`: its size, class and prompt, its place in the batch, and with
    /// `seedsPerImage` its own seed.
    func perImage(_ images: [RGBImage], classLabels: [Int]? = nil, prompts: [String]? = nil,
                  seedsPerImage: Bool = false) -> [GenerationParameters] {
        images.enumerated().map { index, image in
            var parameters = self
            if seedsPerImage { parameters.seed = BatchGenerator.seed(seed, image: index) }
            parameters.width = image.width
            parameters.height = image.height
            parameters.classLabel = classLabels?[index]
            parameters.prompt = prompts?[index]
            parameters.batchPosition = images.count > 1 ? (index, images.count) : nil
            return parameters
        }
    }
}
