import ParadiffuseLoading
import ParadiffuseModels
import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors

extension DiTPipeline: ImagePipeline {
    public var previewSchedulerConfig: JSONConfig? { schedulerConfig }

    public var autoencoder: AutoencoderKL? { vae }

    public func preview(of latents: Tensor) throws -> RGBImage { try LatentPreview.grid(of: latents) }

    /// One class per image (`classLabel`, or `classLabelName` from the folder's `id2label`; without either,
    /// classes 0, 1, 2, ... in turn), guidance 4 and 50 steps unless asked otherwise, as diffusers.
    public func generate(_ request: GenerationRequest, adapting: (any Sampler) -> any Sampler) throws -> GenerationResult {
        if request.prompt != nil { throw GenerationError.promptForUnconditionalModel(model: folder.path, pipeline: "DiTPipeline") }
        let label = try request.classLabelName.map { try labels.index(of: $0) } ?? request.classLabel
        var configuration = Configuration(
            classLabels: (0..<request.count).map { label ?? $0 % transformer.configuration.classCount },
            guidanceScale: request.guidance ?? GenerationDefaults.diT.guidance,
            steps: request.steps ?? GenerationDefaults.diT.steps,
            scheduler: request.scheduler,
            eta: Double(request.eta ?? 0), seed: request.seed)
        configuration.schedulerSettings = request.schedulerSettings
        configuration.perImageSeeds = request.perImageSeeds
        try memoryEstimate(request, guides: configuration.guidanceScale > 1).check(force: request.force)
        let output = try generate(configuration, sampler: adapting(request.sampling))
        let timesteps = output.timesteps

        var comparison: SamplingReport.Comparison?
        if request.sampling.compareSequential {
            let sequential = try generate(configuration, sampler: adapting(SequentialSampler()))
            comparison = .init(samples: output.latents, sequential: sequential.latents,
                               sequentialWallSeconds: sequential.statistics.wallSeconds)
        }
        let images = try RGBImage.images(fromBatch: output.images)
        let parameters = GenerationParameters(
            model: folder.lastPathComponent, scheduler: output.schedulerName, steps: timesteps.count, seed: request.seed,
            width: 0, height: 0, eta: request.eta,
            guidance: configuration.guidanceScale > 1 ? configuration.guidanceScale : nil)
        return GenerationResult(
            images: images, parameters: parameters.perImage(images, classLabels: configuration.classLabels,
                                                         seedsPerImage: request.perImageSeeds),
            latents: output.latents, timesteps: timesteps, trajectory: output.trajectory,
            report: SamplingReport(sampler: request.sampling.method.rawValue, scheduler: output.schedulerName,
                                   steps: timesteps.count, images: images.count, statistics: output.statistics,
                                   comparison: comparison))
    }

    /// The transformer over its tokens for the guided batch, then the VAE at the image's size.
    private func memoryEstimate(_ request: GenerationRequest, guides: Bool) -> MemoryEstimate {
        let model = transformer.configuration
        let tokensPerSide = model.sampleSize / model.patchSize
        let imageSide = model.sampleSize * vae.configuration.downsamplingFactor
        return MemoryEstimate([
            .init("the transformer", items: request.count * (guides ? 2 : 1),
                  channels: model.attentionHeads * model.attentionHeadDimension, height: tokensPerSide,
                  width: tokensPerSide),
            .init("the VAE", items: request.count, channels: vae.configuration.blockOutChannels[0], height: imageSide,
                  width: imageSide),
        ])
    }
}
