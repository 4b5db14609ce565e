import ParadiffuseModels
import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors

extension StableDiffusionPipeline {
    /// Inpainting as diffusers' StableDiffusionInpaintPipeline: the pixels where `masks` are white (≥ 0.5 after
    /// scaling to [0, 1]) are generated, the others kept.
    ///
    /// With an inpainting UNet (9 input channels), the UNet sees the mask (resized to the latents by nearest
    /// neighbour) and the latents of the image with the masked pixels zeroed. With an ordinary UNet, the latents
    /// outside the mask are replaced after every step by the image's latents noised to the next timestep.
    ///
    /// As diffusers, at `strength` 1 the run starts from pure noise; below 1 from the image's latents noised to
    /// the first of the last `Int(steps · strength)` timesteps. The generator draws, in order: the image's latents
    /// (ordinary UNet, or strength below 1), the noise, the masked image's latents, then the scheduler's draws.
    /// `images` are one image, or several whose count divides the batch; `masks` are one mask, or one per image.
    /// As diffusers, images and masks are resized (Lanczos, `VAEImageProcessor`) to the configuration's `height` and
    /// `width` (multiples of the VAE factor), by default the UNet's `sample_size` times the VAE factor, when their
    /// size differs. `guidanceRescale` (which diffusers' inpainting lacks) must be 0.
    public func inpaint(_ configuration: Configuration, images: [RGBImage], masks: [RGBImage], strength: Double = 1,
                        sampler: Sampler = SequentialSampler(),
                        progress: (SamplingProgress) -> Void = { _ in }) throws -> Output {
        try validate(configuration)
        let latentChannels = vae.configuration.latentChannels
        guard hasInpaintingUNet || unet.configuration.inChannels == latentChannels else {
            throw ModelError.invalidInput(parameter: "unet", reason:
                "the UNet of \(folder.path) takes \(unet.configuration.inChannels) input channels; inpainting needs "
                + "\(latentChannels) (blending) or \(2 * latentChannels + 1) (an inpainting UNet)")
        }
        guard configuration.guidanceRescale == 0 else {
            throw ModelError.invalidInput(parameter: "guidanceRescale", reason: "diffusers' inpainting pipeline has none")
        }
        guard (0...1).contains(strength) else {
            throw ModelError.invalidInput(parameter: "strength", reason: "is \(strength); must be in [0, 1]")
        }
        let runSteps = min(Int(Double(configuration.steps) * strength), configuration.steps)
        guard runSteps >= 1 else {
            throw ModelError.invalidInput(parameter: "strength", reason:
                "\(strength) of \(configuration.steps) steps leaves no step to run; raise strength or steps")
        }
        let height = try configuration.height ?? defaultImageSide(parameter: "height")
        let width = try configuration.width ?? defaultImageSide(parameter: "width")
        try validateImageSide(height, name: "height")
        try validateImageSide(width, name: "width")
        let batchSize = configuration.prompts.count * configuration.imagesPerPrompt
        let image = try modelInput(images, batchSize: batchSize, height: height, width: width)
        guard masks.count == 1 || masks.count == images.count else {
            throw ModelError.invalidInput(parameter: "masks", reason:
                "\(masks.count) masks for \(images.count) images: give one mask, or one per image")
        }
        let mask = try VAEImageProcessor(kind: .mask, vaeScaleFactor: vaeScaleFactor)
            .preprocess(masks, height: height, width: width, parameter: "masks")
        let latentShape = [batchSize, latentChannels, image.shape[2] / vaeScaleFactor, image.shape[3] / vaeScaleFactor]

        let (fullScheduler, name) = try makeScheduler(configuration)
        var scheduler = skipping(configuration.steps - runSteps, of: fullScheduler)
        var generator = BatchGenerator(seed: configuration.seed, perImage: configuration.perImageSeeds ? batchSize : nil)
        let startsFromNoise = strength == 1
        let imageLatents = hasInpaintingUNet && startsFromNoise ? nil
            : try encodedLatents(image, generator: &generator).repeatingBatch(batchSize / images.count)
        let noise = generator.randn(latentShape)
        let initial: Tensor
        if let imageLatents, !startsFromNoise {
            initial = try scheduler.addNoise(original: imageLatents, noise: noise,
                                             timesteps: Array(repeating: scheduler.timesteps[0], count: batchSize))
        } else {
            initial = noise * scheduler.initNoiseSigma
        }
        let latentMask = mask.nearestResized(height: latentShape[2], width: latentShape[3])
            .repeatingBatch(batchSize / mask.batchSize)
        let maskedImageLatents = try encodedLatents(maskedImage(image, mask: mask), generator: &generator)
            .repeatingBatch(batchSize / images.count)

        var conditioning: Tensor?
        if hasInpaintingUNet {
            conditioning = try Tensor.concatenatingChannels([latentMask, maskedImageLatents])
        } else if let imageLatents {
            scheduler = blending(scheduler, imageLatents: imageLatents, noise: noise, mask: latentMask)
        }
        let (denoiser, warnings) = try denoiser(configuration, imageConditioning: conditioning)
        let result = try sampler.sample(initial, scheduler: &scheduler, denoiser: denoiser,
                                        noise: { generator.randn($0) }, progress: progress)
        return Output(latents: result.latents, images: try decode(result.latents), truncationWarnings: warnings,
                      schedulerName: name, timesteps: scheduler.timesteps, statistics: result.statistics)
    }

    /// `vae.encode(images).latent_dist.sample(generator) · scaling_factor`.
    private func encodedLatents(_ images: Tensor, generator: inout BatchGenerator) throws -> Tensor {
        try vae.encode(images).sample(using: &generator) * vae.configuration.scalingFactor
    }

    /// `image · (mask < 0.5)`: the images `[I, 3, H, W]` with the pixels to repaint set to 0.
    private func maskedImage(_ images: Tensor, mask: Tensor) -> Tensor {
        let (count, plane) = (images.shape[0], images.shape[2] * images.shape[3])
        let keep = mask.scalars.map { $0 < 0.5 ? Float(1) : 0 }
        var result = images.toRowMajor()
        result.withUnsafeMutableBufferPointer { values in
            for item in 0..<count {
                let maskItem = mask.batchSize == 1 ? 0 : item
                for channel in 0..<3 {
                    for pixel in 0..<plane { values[(item * 3 + channel) * plane + pixel] *= keep[maskItem * plane + pixel] }
                }
            }
        }
        return result
    }
}
