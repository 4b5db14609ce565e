import ParadiffuseLoading
import ParadiffuseModels
import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors

extension UnconditionalPipeline: ImagePipeline {
    public var previewSchedulerConfig: JSONConfig? { schedulerConfig }

    public var autoencoder: AutoencoderKL? { nil }

    /// The samples themselves: this pipeline samples in pixel space.
    public func preview(of latents: Tensor) throws -> RGBImage {
        RGBImage.grid(try RGBImage.images(fromBatch: latents))
    }

    /// An unconditional or class-conditional UNet2DModel run: `--class` by number only, classifier-free guidance
    /// against the null class, and, when the request asks, a second run with the sequential sampler to compare.
    public func generate(_ request: GenerationRequest, adapting: (any Sampler) -> any Sampler) throws -> GenerationResult {
        if request.prompt != nil { throw GenerationError.promptForUnconditionalModel(model: folder.path, pipeline: "") }
        if let name = request.classLabelName { throw ClassLabelError.unknownName(name, known: []) }
        var configuration = Configuration(
            scheduler: request.scheduler,
            steps: request.steps, eta: Double(request.eta ?? 0), seed: request.seed, count: request.count,
            classLabel: request.classLabel, guidance: request.guidance ?? defaultGuidance)
        configuration.schedulerSettings = request.schedulerSettings
        configuration.perImageSeeds = request.perImageSeeds
        let size = model.configuration.sampleSize ?? [32, 32]
        try MemoryEstimate([.init("the UNet", items: request.count * (configuration.guidance > 1 ? 2 : 1),
                                  channels: model.configuration.blockOutChannels[0], height: size[0],
                                  width: size[1])]).check(force: request.force)
        configuration.sampler = adapting(request.sampling)
        let output = try generate(configuration)
        let timesteps = output.timesteps

        var comparison: SamplingReport.Comparison?
        if request.sampling.compareSequential {
            configuration.sampler = adapting(SequentialSampler())
            let sequential = try generate(configuration)
            comparison = .init(samples: output.samples, sequential: sequential.samples,
                               sequentialWallSeconds: sequential.statistics.wallSeconds)
        }
        let images = try RGBImage.images(fromBatch: output.samples)
        let parameters = GenerationParameters(
            model: folder.lastPathComponent, scheduler: output.schedulerName, steps: timesteps.count, seed: request.seed,
            width: 0, height: 0, eta: request.eta, guidance: configuration.guidance > 1 ? configuration.guidance : nil)
        return GenerationResult(
            images: images, parameters: parameters.perImage(images, classLabels: output.classLabels, seedsPerImage: request.perImageSeeds),
            latents: output.samples, timesteps: timesteps, trajectory: output.trajectory,
            report: SamplingReport(sampler: request.sampling.method.rawValue, scheduler: output.schedulerName,
                                   steps: timesteps.count, images: images.count, statistics: output.statistics,
                                   comparison: comparison))
    }
}
