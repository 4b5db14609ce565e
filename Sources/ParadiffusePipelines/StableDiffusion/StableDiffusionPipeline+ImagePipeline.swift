import ParadiffuseLoading
import ParadiffuseModels
import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors

extension StableDiffusionPipeline: ImagePipeline {
    public var previewSchedulerConfig: JSONConfig? { schedulerConfig }

    public var autoencoder: AutoencoderKL? { vae }

    public func preview(of latents: Tensor) throws -> RGBImage { try LatentPreview.grid(of: latents) }

    /// Text-to-image, or with an input image image-to-image, or with a mask too inpainting; `count` images per
    /// prompt.
    public func generate(_ request: GenerationRequest, adapting: (any Sampler) -> any Sampler) throws -> GenerationResult {
        guard let prompt = request.prompt, !prompt.prompts.isEmpty else { throw GenerationError.promptRequired(folder) }
        if request.classLabel != nil || request.classLabelName != nil { throw GenerationError.classForTextModel(folder) }
        if request.sampling.keepsTrajectory || request.sampling.compareSequential {
            throw GenerationError.samplingOptionUnavailable
        }
        var configuration = Configuration(
            prompts: prompt.prompts, negativePrompts: prompt.negativePrompts, imagesPerPrompt: request.count,
            guidanceScale: request.guidance ?? defaults.guidance, guidanceRescale: prompt.guidanceRescale,
            width: prompt.width, height: prompt.height, steps: request.steps ?? defaults.steps,
            scheduler: request.scheduler,
            eta: Double(request.eta ?? 0), seed: request.seed, clipSkip: prompt.clipSkip)
        configuration.schedulerSettings = request.schedulerSettings
        configuration.perImageSeeds = request.perImageSeeds
        try memoryEstimate(configuration).check(force: request.force)
        let sampler = adapting(request.sampling)

        let output: Output
        let strength = prompt.strength ?? (prompt.mask == nil ? 0.8 : 1)
        switch (prompt.initImage, prompt.mask) {
        case (let image?, let mask?):
            output = try inpaint(configuration, images: [image], masks: [mask], strength: strength,
                                 sampler: sampler)
        case (let image?, nil):
            output = try imageToImage(configuration, images: [image], strength: strength, sampler: sampler)
        case (nil, _):
            output = try textToImage(configuration, sampler: sampler)
        }
        let images = try RGBImage.images(fromBatch: output.images)
        var parameters = GenerationParameters(
            model: folder.lastPathComponent, scheduler: output.schedulerName, steps: output.steps, seed: request.seed,
            width: 0, height: 0, eta: request.eta, guidance: configuration.guidanceScale)
        parameters.negativePrompt = prompt.negativePrompts.first
        parameters.clipSkip = prompt.clipSkip
        if prompt.initImage != nil { parameters.denoisingStrength = strength }
        return GenerationResult(
            images: images,
            parameters: parameters.perImage(images, prompts: prompt.prompts.flatMap {
                Array(repeating: $0, count: request.count)
            }, seedsPerImage: request.perImageSeeds),
            latents: output.latents, timesteps: output.timesteps, trajectory: nil,
            report: SamplingReport(sampler: request.sampling.method.rawValue, scheduler: output.schedulerName,
                                   steps: output.steps, images: images.count, statistics: output.statistics,
                                   comparison: nil),
            warnings: output.truncationWarnings)
    }

    /// The UNet at the latents' size over the guided batch, then the VAE at the image's size.
    private func memoryEstimate(_ configuration: Configuration) -> MemoryEstimate {
        let defaultSide = (unet.configuration.sampleSize ?? 64) * vaeScaleFactor
        let (height, width) = (configuration.height ?? defaultSide, configuration.width ?? defaultSide)
        let images = configuration.prompts.count * configuration.imagesPerPrompt
        return MemoryEstimate([
            .init("the UNet", items: images * (configuration.guidanceScale > 1 ? 2 : 1),
                  channels: unet.configuration.blockOutChannels[0], height: height / vaeScaleFactor,
                  width: width / vaeScaleFactor),
            .init("the VAE", items: images, channels: vae.configuration.blockOutChannels[0], height: height,
                  width: width),
        ])
    }
}
