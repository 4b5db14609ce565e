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
    /// repeats them whole ([a, b] for four images gives a, b, a, b). Their sides must be multiples of the model's
    /// size multiple (no resizing). `width` and `height` of the configuration must be nil.
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
                      schedulerName: name, steps: scheduler.timesteps.count, statistics: result.statistics)
    }

    /// The images as one VAE input batch `[I, 3, H, W]`, after checking their count and sizes (also inpainting's).
    func modelInput(_ images: [RGBImage], batchSize: Int) throws -> Tensor {
        guard let first = images.first else {
            throw ModelError.invalidInput(parameter: "images", reason: "no input image given")
        }
        guard batchSize % images.count == 0 else {
            throw ModelError.invalidInput(parameter: "images", reason:
                "\(images.count) images do not divide the \(batchSize) images to generate (prompts × images per prompt)")
        }
        for (index, image) in images.enumerated() where image.width != first.width || image.height != first.height {
            throw ModelError.invalidInput(parameter: "images", reason:
                "image \(index) is \(image.width)x\(image.height), image 0 is \(first.width)x\(first.height)")
        }
        try validateImageSide(first.height, name: "image height")
        try validateImageSide(first.width, name: "image width")
        return Tensor.concatenatingBatches(images.map(\.modelInput))
    }
}
