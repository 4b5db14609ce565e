import ParadiffuseTensors

/// diffusers' `DiTTransformer2DModel` (Peebles & Xie, "Scalable Diffusion Models with Transformers"): latents cut
/// into patches, transformer blocks conditioned on the timestep and class through adaLN-Zero, a modulated output
/// layer, and the patches put back together. With learned sigma the output holds the noise prediction in its
/// first `inChannels` channels and the variance prediction in the rest, as diffusers returns it.
public final class DiTTransformer2DModel: ComponentModel, Sendable {
    public let configuration: DiTTransformer2DConfiguration
    /// Latents and outputs are float32; inside, the linear layers (and the patch projection) take inputs of this
    /// precision's dtype, while the tokens between blocks, norms, modulations and embeddings stay float32.
    public let precision: Precision

    private let patchEmbedding: PatchEmbedding
    private let blocks: [DiTTransformerBlock]
    private let outputNorm: ModulatedLayerNorm
    private let outputModulation: Linear
    private let outputProjection: Linear

    public init(configuration: DiTTransformer2DConfiguration, weights: ModelWeights) throws {
        try configuration.validate(file: "DiTTransformer2DModel configuration")
        self.configuration = configuration
        precision = weights.precision
        let width = configuration.width, patch = configuration.patchSize
        patchEmbedding = try PatchEmbedding(weights.scoped("pos_embed"), inChannels: configuration.inChannels,
                                            width: width, patchSize: patch, sampleSize: configuration.sampleSize)
        blocks = try (0..<configuration.layers).map {
            try DiTTransformerBlock(weights.scoped("transformer_blocks.\($0)"), configuration: configuration)
        }
        outputNorm = ModulatedLayerNorm(features: width, epsilon: 1e-6)
        outputModulation = try Linear(weights.scoped("proj_out_1"), input: width, output: 2 * width)
        outputProjection = try Linear(weights.scoped("proj_out_2"), input: width,
                                      output: patch * patch * configuration.outputChannels)
    }

    /// Checks inputs a caller controls; the forward pass assumes them valid.
    public func validate(latents: Tensor, timesteps: [Float], classLabels: [Int]) throws {
        let (channels, patch) = (configuration.inChannels, configuration.patchSize)
        guard latents.rank == 4, latents.shape[1] == channels, latents.batchSize > 0 else {
            throw ModelError.invalidInput(parameter: "latents", reason: "shape \(latents.shape) is not [N, \(channels), H, W]")
        }
        let (height, width) = (latents.shape[2], latents.shape[3])
        guard height == width, height > 0, height % patch == 0 else {
            throw ModelError.invalidInput(parameter: "latents", reason:
                "height and width \(height)x\(width) must be equal and multiples of the patch size \(patch)")
        }
        guard timesteps.count == latents.batchSize else {
            throw ModelError.invalidInput(parameter: "timesteps", reason: "\(timesteps.count) timesteps for a batch of \(latents.batchSize)")
        }
        guard classLabels.count == latents.batchSize else {
            throw ModelError.invalidInput(parameter: "class labels", reason: "\(classLabels.count) labels for a batch of \(latents.batchSize)")
        }
        for label in classLabels where !(0...configuration.nullClass).contains(label) {
            throw ModelError.invalidInput(parameter: "class labels", reason:
                "class \(label) is outside 0..<\(configuration.classCount) and is not the null class \(configuration.nullClass)")
        }
    }

    /// The model output `[N, outChannels, H, W]` for latents `[N, inChannels, H, W]` (square), one timestep and one
    /// class per item (the null class `configuration.nullClass` for the unconditional prediction).
    public func callAsFunction(_ latents: Tensor, timesteps: [Float], classLabels: [Int]) throws -> Tensor {
        try validate(latents: latents, timesteps: timesteps, classLabels: classLabels)
        var tokens = patchEmbedding(latents.toRowMajor().converted(to: .float32))
        for block in blocks { tokens = block(tokens, timesteps: timesteps, classLabels: classLabels) }

        let dtype = precision.dtype
        let conditioning = blocks[0].embedding(timesteps: timesteps, classLabels: classLabels)
        let chunks = outputModulation(conditioning.siluActivated(as: dtype), as: .float32).chunkedColumns(2)
        let patches = outputProjection(outputNorm(tokens, shift: chunks[0], scale: chunks[1], as: dtype), as: .float32)
        return patches.unpatchified(patchSize: configuration.patchSize, channels: configuration.outputChannels)
    }
}
