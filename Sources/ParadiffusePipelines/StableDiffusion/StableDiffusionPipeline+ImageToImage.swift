import ParadiffuseModels
import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors

extension StableDiffusionPipeline {
    /// Image-to-image as diffusers' StableDiffusionImg2ImgPipeline: the images are encoded (a draw from the VAE's
    /// latent distribution, the generator's first use), scaled by `scaling_factor`, repeated to the batch, and
    /// noised (the second draw) to the first of the last `Int(steps · strength)` timesteps, which are then run.
    ///
    /// `images` are one image, or several whose count divides the batch (prompts × images per prompt); diffusers
    /// repeats them whole ([a, b] for four images gives a, b, a, b). As diffusers' `VaeImageProcessor.preprocess`
    /// without a size, they are resized (Lanczos) to the first image's size rounded down to a multiple of the VAE
    /// factor when their size differs from it. `width` and `height` of the configuration must be nil.
    public func imageToImage(_ configuration: Configuration, images: [RGBImage], strength: Double = 0.8,
                             sampler: Sampler = SequentialSampler(),
                             progress: (SamplingProgress) -> Void = { _ in }) throws -> Output {
        try validate(configuration)
        try requireLatentOnlyUNet()
        guard (0...1).contains(strength) else {
            throw ModelError.invalidInput(parameter: "strength", reason: "is \(strength); must be in [0, 1]")
        }
        let runSteps = min(Int(Double(configuration.steps) * strength), configuration.steps)
        guard runSteps >= 1 else {
            throw ModelError.invalidInput(parameter: "strength", reason:
                "\(strength) of \(configuration.steps) steps leaves no step to run; raise strength or steps")
        }
        for (name, value) in [("width", configuration.width), ("height", configuration.height)] where value != nil {
            throw ModelError.invalidInput(parameter: name, reason: "image-to-image takes its size from the input image")
        }
        let batchSize = configuration.prompts.count * configuration.imagesPerPrompt
        let input = try modelInput(images, batchSize: batchSize)

        let (denoiser, warnings) = try denoiser(configuration)
        let (fullScheduler, name) = try makeScheduler(configuration)
        var scheduler = skipping(configuration.steps - runSteps, of: fullScheduler)
        var generator = BatchGenerator(seed: configuration.seed, perImage: configuration.perImageSeeds ? batchSize : nil)
        // With a generator per image diffusers encodes every image of the batch with its own generator.
        let encoderInput = generator.perImage ? input.repeatingBatch(batchSize / input.batchSize) : input
        let encoded = try vae.encode(encoderInput).sample(using: &generator) * vae.configuration.scalingFactor
        let original = encoded.repeatingBatch(batchSize / encoded.batchSize)
        let noise = generator.randn(original.shape)
        let initial = try scheduler.addNoise(original: original, noise: noise,
                                             timesteps: Array(repeating: scheduler.timesteps[0], count: batchSize))
        let result = try sampler.sample(initial, scheduler: &scheduler, denoiser: denoiser,
                                        noise: { generator.randn($0) }, progress: progress)
        return Output(latents: result.latents, images: try decode(result.latents), truncationWarnings: warnings,
                      schedulerName: name, timesteps: scheduler.timesteps, statistics: result.statistics)
    }

    /// The images as one VAE input batch `[I, 3, H, W]` (see `VAEImageProcessor`), after checking their count (also
    /// inpainting's, which gives the size).
    func modelInput(_ images: [RGBImage], batchSize: Int, height: Int? = nil, width: Int? = nil) throws -> Tensor {
        guard !images.isEmpty, batchSize % images.count == 0 else {
            throw ModelError.invalidInput(parameter: "images", reason: images.isEmpty ? "no input image given" :
                "\(images.count) images do not divide the \(batchSize) images to generate (prompts × images per prompt)")
        }
        return try VAEImageProcessor(kind: .image, vaeScaleFactor: vaeScaleFactor)
            .preprocess(images, height: height, width: width, parameter: "images")
    }
}
