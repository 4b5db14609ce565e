import ParadiffuseModels
import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors

extension StableDiffusionPipeline {
    /// Text-to-image as diffusers' StableDiffusionPipeline: the initial latents are drawn first from the seeded
    /// generator (`prepare_latents`), which then supplies every later draw of the scheduler.
    public func textToImage(_ configuration: Configuration, sampler: Sampler = SequentialSampler(),
                            progress: (SamplingProgress) -> Void = { _ in }) throws -> Output {
        try validate(configuration)
        try requireLatentOnlyUNet()
        let height = try configuration.height ?? defaultImageSide(parameter: "height")
        let width = try configuration.width ?? defaultImageSide(parameter: "width")
        for (name, value) in [("height", height), ("width", width)] where value % 8 != 0 {
            throw ModelError.invalidInput(parameter: name, reason: "is \(value); it must be a multiple of 8")
        }
        try validateImageSide(height, name: "height")
        try validateImageSide(width, name: "width")

        let (denoiser, warnings) = try denoiser(configuration)
        var (scheduler, name) = try makeScheduler(configuration)
        var generator = BatchGenerator(seed: configuration.seed,
                                       perImage: configuration.perImageSeeds ? denoiser.imagesPerGroup : nil)
        let shape = [denoiser.imagesPerGroup, unet.configuration.inChannels, height / vaeScaleFactor, width / vaeScaleFactor]
        let initial = generator.randn(shape) * scheduler.initNoiseSigma
        let result = try sampler.sample(initial, scheduler: &scheduler, denoiser: denoiser,
                                        noise: { generator.randn($0) }, progress: progress)
        return Output(latents: result.latents, images: try decode(result.latents), truncationWarnings: warnings,
                      schedulerName: name, timesteps: scheduler.timesteps, statistics: result.statistics)
    }

    /// diffusers' default image side: the UNet's `sample_size` times the VAE factor.
    func defaultImageSide(parameter: String) throws -> Int {
        guard let sampleSize = unet.configuration.sampleSize else {
            throw ModelError.invalidInput(parameter: parameter, reason:
                "not given, and the UNet of \(folder.path) has no sample_size to derive it from")
        }
        return sampleSize * vaeScaleFactor
    }
}
