import Foundation
import ParadiffuseLoading
import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors

/// Runs a generation request end to end: load, sample, write the images (and grid, latents, trajectory,
/// statistics) atomically. Stable Diffusion folders take prompts; UNet2DModel folders take classes.
public enum Generation {
    public static func run(_ request: GenerationRequest, progress: ProgressReporter,
                           role: GenerationRole = .soleProcess) throws {
        let folder = request.model ?? DefaultModel.url
        if role.writesOutputs { try request.outputFiles.checkWritable(overwrite: request.overwrite) }
        let className = try DiffusersFolder(url: folder).modelIndex?.className ?? ""
        if className.hasPrefix("StableDiffusion") || className == latentConsistencyPipeline {
            try runStableDiffusion(request, folder: folder, pipelineClass: className, progress: progress, role: role)
        } else {
            if request.prompt != nil {
                throw GenerationError.promptForUnconditionalModel(model: request.model?.path ?? "the default digits model",
                                                                  pipeline: className)
            }
            if className == "DiTPipeline" {
                if request.quantization != .none { throw GenerationError.quantizationUnavailable(pipeline: className) }
                try runDiT(request, folder: folder, progress: progress, role: role)
            } else {
                if let name = request.classLabelName { throw ClassLabelError.unknownName(name, known: []) }
                try runUnconditional(request, folder: folder, progress: progress, role: role)
            }
        }
    }

    private static func runUnconditional(_ request: GenerationRequest, folder: URL, progress: ProgressReporter,
                                         role: GenerationRole) throws {
        let pipeline = try UnconditionalPipeline(folder: folder, precision: request.precision,
                                                 quantization: request.quantization)
        var configuration = UnconditionalPipeline.Configuration(
            scheduler: try request.scheduler.map { try SchedulerKind(named: $0.rawValue) },
            steps: request.steps, eta: Double(request.eta ?? 0), seed: request.seed, count: request.count,
            classLabel: request.classLabel,
            guidance: request.guidance ?? (request.model == nil ? DefaultModel.guidance : 1))
        configuration.schedulerSettings = request.schedulerSettings
        let size = pipeline.model.configuration.sampleSize ?? [32, 32]
        try MemoryEstimate([.init("the UNet", items: request.count * (configuration.guidance > 1 ? 2 : 1),
                                  channels: pipeline.model.configuration.blockOutChannels[0], height: size[0],
                                  width: size[1])]).check(force: request.force)
        let timesteps = try pipeline.makeScheduler(configuration).scheduler.timesteps
        configuration.sampler = role.distributing(try request.sampling.makeSampler(timesteps: timesteps))

        progress.start(total: timesteps.count)
        let output = try pipeline.generate(configuration) { done, _ in progress.update(completed: done) }
        progress.finish()

        var comparison: SamplingReport.Comparison?
        if request.sampling.compareSequential {
            progress.message("running the sequential sampler with the same noise for comparison")
            var sequentialConfiguration = configuration
            sequentialConfiguration.sampler = role.distributing(SequentialSampler())
            let sequential = try pipeline.generate(sequentialConfiguration)
            comparison = .init(samples: output.samples, sequential: sequential.samples,
                               sequentialWallSeconds: sequential.statistics.wallSeconds)
        }
        let parameters = GenerationParameters(
            model: request.model?.lastPathComponent ?? "paradiffuse-digits (default)", scheduler: output.schedulerName,
            steps: timesteps.count, seed: request.seed, width: 0, height: 0, eta: request.eta,
            guidance: configuration.guidance > 1 ? configuration.guidance : nil)
        guard role.writesOutputs else { return }
        try writeOutputs(request, images: output.samples, latents: output.samples, parameters: parameters,
                         classLabels: output.classLabels, trajectory: output.trajectory, timesteps: timesteps,
                         report: SamplingReport(sampler: request.sampling.method.rawValue, scheduler: output.schedulerName,
                                                steps: timesteps.count, images: output.samples.batchSize,
                                                statistics: output.statistics, comparison: comparison),
                         progress: progress)
    }

    /// The `_class_name` of diffusers' LCM text-to-image folders, which the Stable Diffusion pipeline runs.
    private static let latentConsistencyPipeline = "LatentConsistencyModelPipeline"

    /// diffusers' default steps and guidance scale for a text-to-image pipeline class.
    private static func textToImageDefaults(pipelineClass: String) -> (steps: Int, guidance: Float) {
        pipelineClass == latentConsistencyPipeline ? (4, 8.5) : (50, 7.5)
    }

    private static func runStableDiffusion(_ request: GenerationRequest, folder: URL, pipelineClass: String,
                                           progress: ProgressReporter, role: GenerationRole) throws {
        guard let prompt = request.prompt, !prompt.prompts.isEmpty else { throw GenerationError.promptRequired(folder) }
        if request.classLabel != nil || request.classLabelName != nil { throw GenerationError.classForTextModel(folder) }
        if request.sampling.saveTrajectory != nil || request.sampling.compareSequential {
            throw GenerationError.samplingOptionUnavailable
        }
        let pipeline = try StableDiffusionPipeline(folder: folder, variant: prompt.variant, precision: request.precision,
                                                   quantization: request.quantization)
        let defaults = textToImageDefaults(pipelineClass: pipelineClass)
        var configuration = StableDiffusionPipeline.Configuration(
            prompts: prompt.prompts, negativePrompts: prompt.negativePrompts, imagesPerPrompt: request.count,
            guidanceScale: request.guidance ?? defaults.guidance, guidanceRescale: prompt.guidanceRescale, width: prompt.width,
            height: prompt.height, steps: request.steps ?? defaults.steps,
            scheduler: try request.scheduler.map { try SchedulerKind(named: $0.rawValue) },
            eta: Double(request.eta ?? 0), seed: request.seed, clipSkip: prompt.clipSkip)
        configuration.schedulerSettings = request.schedulerSettings
        try memoryEstimate(pipeline, configuration).check(force: request.force)
        let timesteps = try pipeline.makeScheduler(configuration).scheduler.timesteps
        let sampler = role.distributing(try request.sampling.makeSampler(timesteps: timesteps))
        let report: (Int, Int) -> Void = { done, _ in progress.update(completed: done) }

        progress.start(total: timesteps.count)
        let output: StableDiffusionPipeline.Output
        if let imageURL = prompt.initImage {
            let image = try RGBImage.readPNG(url: imageURL)
            if let maskURL = prompt.mask {
                output = try pipeline.inpaint(configuration, images: [image], masks: [try RGBImage.readPNG(url: maskURL)],
                                              strength: prompt.strength ?? 1, sampler: sampler, progress: report)
            } else {
                output = try pipeline.imageToImage(configuration, images: [image], strength: prompt.strength ?? 0.8,
                                                   sampler: sampler, progress: report)
            }
        } else {
            output = try pipeline.textToImage(configuration, sampler: sampler, progress: report)
        }
        progress.finish()
        for warning in output.truncationWarnings { progress.message("warning: \(warning)") }

        var parameters = GenerationParameters(
            model: folder.lastPathComponent, scheduler: output.schedulerName, steps: output.steps, seed: request.seed,
            width: 0, height: 0, eta: request.eta, guidance: configuration.guidanceScale)
        parameters.negativePrompt = prompt.negativePrompts.first
        guard role.writesOutputs else { return }
        try writeOutputs(request, images: output.images, latents: output.latents, parameters: parameters,
                         prompts: prompt.prompts.flatMap { Array(repeating: $0, count: request.count) },
                         trajectory: nil, timesteps: timesteps,
                         report: SamplingReport(sampler: request.sampling.method.rawValue, scheduler: output.schedulerName,
                                                steps: output.steps, images: output.images.batchSize,
                                                statistics: output.statistics, comparison: nil),
                         progress: progress)
    }

    /// The UNet at the latents' size over the guided batch, then the VAE at the image's size.
    private static func memoryEstimate(_ pipeline: StableDiffusionPipeline,
                                       _ configuration: StableDiffusionPipeline.Configuration) -> MemoryEstimate {
        let factor = pipeline.vaeScaleFactor
        let defaultSide = (pipeline.unet.configuration.sampleSize ?? 64) * factor
        let (height, width) = (configuration.height ?? defaultSide, configuration.width ?? defaultSide)
        let images = configuration.prompts.count * configuration.imagesPerPrompt
        return MemoryEstimate([
            .init("the UNet", items: images * (configuration.guidanceScale > 1 ? 2 : 1),
                  channels: pipeline.unet.configuration.blockOutChannels[0], height: height / factor,
                  width: width / factor),
            .init("the VAE", items: images, channels: pipeline.vae.configuration.blockOutChannels[0], height: height,
                  width: width),
        ])
    }

    /// Writes every image with its parameters, then the grid, latents, trajectory and statistics the request asks for.
    static func writeOutputs(_ request: GenerationRequest, images tensor: Tensor, latents: Tensor,
                             parameters: GenerationParameters, classLabels: [Int]? = nil,
                             prompts: [String]? = nil, trajectory: [Tensor]?, timesteps: [Int],
                             report: SamplingReport, progress: ProgressReporter) throws {
        var parameters = parameters, report = report
        parameters.precision = request.precision.resolved().rawValue
        parameters.quantization = request.quantization == .none ? nil : request.quantization.rawValue
        report.precision = parameters.precision
        report.quantization = request.quantization.rawValue
        report.cpu = CPUCapabilities.current.summary
        let files = request.outputFiles
        let images = try RGBImage.images(fromBatch: tensor)
        for (index, image) in images.enumerated() {
            var imageParameters = parameters
            imageParameters.width = image.width
            imageParameters.height = image.height
            imageParameters.classLabel = classLabels?[index]
            imageParameters.prompt = prompts?[index]
            imageParameters.batchPosition = images.count > 1 ? (index, images.count) : nil
            try image.write(to: files.images[index], textChunks: imageParameters.pngTextChunks, overwrite: request.overwrite)
        }
        if let grid = files.grid {
            try RGBImage.grid(images).write(to: grid, overwrite: request.overwrite)
        }
        if let url = files.latents {
            try SafetensorsWriter.write(["latents": latents], metadata: ["seed": "\(request.seed)"], to: url,
                                        overwrite: request.overwrite)
        }
        if let url = request.sampling.saveTrajectory {
            guard let trajectory else { throw GenerationError.samplingOptionUnavailable }
            try TrajectoryFile.write(trajectory, timesteps: timesteps, seed: request.seed, to: url,
                                     overwrite: request.overwrite)
        }
        if let url = request.sampling.statisticsOutput { try report.write(to: url, overwrite: request.overwrite) }
        progress.message(report.summary)
        progress.message("wrote " + (files.all + [request.sampling.saveTrajectory, request.sampling.statisticsOutput]
            .compactMap { $0 }).map(\.path).joined(separator: ", "))
    }
}

public enum GenerationError: Error, DescribedError {
    case promptRequired(URL)
    case promptForUnconditionalModel(model: String, pipeline: String)
    case classForTextModel(URL)
    case samplingOptionUnavailable
    case quantizationUnavailable(pipeline: String)
    case scheduleStartsNearlyClean(scheduler: String, steps: Int, timestep: Float, trainTimesteps: Int)
    case notEnoughMemory(needed: Double, available: Double, stage: String, items: Int, height: Int, width: Int)

    public var description: String {
        switch self {
        case .promptRequired(let folder):
            "--prompt is required: \(folder.path) is a Stable Diffusion model"
        case let .promptForUnconditionalModel(model, pipeline):
            "--prompt applies to Stable Diffusion models; \(model) is \(pipeline.isEmpty ? "a UNet2DModel folder" : "a \(pipeline)")"
        case .classForTextModel(let folder):
            "--class applies to class-conditional models; \(folder.path) is a Stable Diffusion model (use --prompt)"
        case .samplingOptionUnavailable:
            "--save-trajectory and --compare-sequential are not available for Stable Diffusion models yet"
        case .quantizationUnavailable(let pipeline):
            "--quantize int8 applies to UNet and Stable Diffusion models; \(pipeline) folders run unquantized so far"
        case let .scheduleStartsNearlyClean(scheduler, steps, timestep, trainTimesteps):
            "\(steps) step\(steps == 1 ? "" : "s") of \(scheduler) start at timestep \(Int(timestep)) of \(trainTimesteps): "
                + "from pure noise there the image stays noise; use more steps or --timestep-spacing trailing"
        case let .notEnoughMemory(needed, available, stage, items, height, width):
            "this run needs about \(String(format: "%.1f", needed / 1_073_741_824)) GiB for \(stage) (\(items) × "
                + "\(width)×\(height)), but \(String(format: "%.1f", available / 1_073_741_824)) GiB are available: "
                + "lower --count, --width or --height, or pass --force to try anyway"
        }
    }
}
