import Foundation
import ParadiffuseModels
import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors

extension Generation {
    /// A DiTPipeline folder: one class per image (`--class` as a number or a name of the folder's `id2label`;
    /// without it, classes 0, 1, 2, ... in turn), guidance 4 and 50 steps unless asked otherwise, as diffusers.
    static func runDiT(_ request: GenerationRequest, folder: URL, progress: ProgressReporter,
                       role: GenerationRole) throws {
        let pipeline = try DiTPipeline(folder: folder, precision: request.precision)
        let label = try request.classLabelName.map { try pipeline.labels.index(of: $0) } ?? request.classLabel
        var configuration = DiTPipeline.Configuration(
            classLabels: (0..<request.count).map { label ?? $0 % pipeline.transformer.configuration.classCount },
            guidanceScale: request.guidance ?? 4, steps: request.steps ?? 50,
            scheduler: try request.scheduler.map { try SchedulerKind(named: $0.rawValue) },
            eta: Double(request.eta ?? 0), seed: request.seed)
        configuration.schedulerSettings = request.schedulerSettings
        let transformer = pipeline.transformer.configuration
        let tokensPerSide = transformer.sampleSize / transformer.patchSize
        let imageSide = transformer.sampleSize * pipeline.vae.configuration.downsamplingFactor
        try MemoryEstimate([
            .init("the transformer", items: request.count * (configuration.guidanceScale > 1 ? 2 : 1),
                  channels: transformer.attentionHeads * transformer.attentionHeadDimension, height: tokensPerSide,
                  width: tokensPerSide),
            .init("the VAE", items: request.count, channels: pipeline.vae.configuration.blockOutChannels[0],
                  height: imageSide, width: imageSide),
        ]).check(force: request.force)
        let timesteps = try pipeline.makeScheduler(configuration).scheduler.timesteps
        let sampler = role.distributing(try request.sampling.makeSampler(timesteps: timesteps))

        progress.start(total: timesteps.count)
        let output = try pipeline.generate(configuration, sampler: sampler) { done, _ in progress.update(completed: done) }
        progress.finish()

        var comparison: SamplingReport.Comparison?
        if request.sampling.compareSequential {
            progress.message("running the sequential sampler with the same noise for comparison")
            let sequential = try pipeline.generate(configuration, sampler: role.distributing(SequentialSampler()))
            comparison = .init(samples: output.latents, sequential: sequential.latents,
                               sequentialWallSeconds: sequential.statistics.wallSeconds)
        }
        let parameters = GenerationParameters(
            model: folder.lastPathComponent, scheduler: output.schedulerName, steps: timesteps.count, seed: request.seed,
            width: 0, height: 0, eta: request.eta,
            guidance: configuration.guidanceScale > 1 ? configuration.guidanceScale : nil)
        guard role.writesOutputs else { return }
        try writeOutputs(request, images: output.images, latents: output.latents, parameters: parameters,
                         classLabels: configuration.classLabels, trajectory: output.trajectory, timesteps: timesteps,
                         report: SamplingReport(sampler: request.sampling.method.rawValue, scheduler: output.schedulerName,
                                                steps: timesteps.count, images: output.images.batchSize,
                                                statistics: output.statistics, comparison: comparison),
                         progress: progress)
    }
}
