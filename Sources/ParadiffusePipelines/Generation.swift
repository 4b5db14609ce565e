import Foundation
import ParadiffuseLoading
import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors

/// The command line's generation: generates with a progress bar, then writes the images (and grid, latents,
/// trajectory, statistics) atomically.
public enum Generation {
    public static func run(_ request: GenerationRequest, pipeline: DiffusionPipeline, outputs: GenerationOutputs,
                           progress: ProgressReporter, role: GenerationRole = .soleProcess) throws {
        let files = outputs.files(imageCount: request.imageCount)
        if role.writesOutputs { try files.checkWritable(overwrite: outputs.overwrite) }
        let monitor = GenerationMonitor { step in
            progress.show(step)
            return true
        }
        let result = try pipeline.generate(request, monitor: monitor, distributing: role.distributing)
        progress.finish()
        guard role.writesOutputs else { return }
        try write(result, to: files, outputs: outputs, seed: request.seed)
        progress.message(result.report.summary)
        progress.message("wrote " + writtenFiles(files, result: result, perImageSeeds: request.perImageSeeds))
    }

    /// The files written, each image of a batch with its own seed named after it.
    static func writtenFiles(_ files: OutputFiles, result: GenerationResult, perImageSeeds: Bool) -> String {
        let images = zip(files.images, result.parameters).map { url, parameters in
            perImageSeeds && files.images.count > 1 ? "\(url.path) (seed \(parameters.seed))" : url.path
        }
        return (images + files.all.dropFirst(files.images.count).map(\.path)).joined(separator: ", ")
    }

    /// Writes every image with its parameters, then the grid, latents, trajectory and statistics `files` name.
    static func write(_ result: GenerationResult, to files: OutputFiles, outputs: GenerationOutputs, seed: UInt64) throws {
        let overwrite = outputs.overwrite
        for (index, data) in try result.pngData().enumerated() {
            try AtomicFile.write(data, to: files.images[index], overwrite: overwrite)
        }
        if let grid = files.grid {
            try RGBImage.grid(result.images, columns: outputs.gridColumns, rows: outputs.gridRows)
                .write(to: grid, overwrite: overwrite)
        }
        if let url = files.latents {
            try SafetensorsWriter.write(["latents": result.latents], metadata: ["seed": "\(seed)"], to: url,
                                        overwrite: overwrite)
        }
        if let url = files.trajectory {
            guard let trajectory = result.trajectory else { throw GenerationError.samplingOptionUnavailable }
            try TrajectoryFile.write(trajectory, timesteps: result.timesteps, seed: seed, to: url, overwrite: overwrite)
        }
        if let url = files.statistics { try result.report.write(to: url, overwrite: overwrite) }
    }
}

public enum GenerationError: Error, DescribedError {
    case promptRequired(URL)
    case promptForUnconditionalModel(model: String, pipeline: String)
    case classForTextModel(URL)
    case samplingOptionUnavailable
    case quantizationUnavailable(pipeline: String)
    case variantUnavailable(String, pipeline: String)
    case vaeUnavailable(pipeline: String)
    case embeddingsUnavailable(pipeline: String)
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
        case let .variantUnavailable(variant, pipeline):
            "weights variants (--variant \(variant)) apply to Stable Diffusion and DiT folders; this is "
                + (pipeline.isEmpty ? "a UNet2DModel folder" : "a \(pipeline) folder")
        case .vaeUnavailable(let pipeline):
            "--vae applies to Stable Diffusion and DiT folders; this is "
                + (pipeline.isEmpty ? "a UNet2DModel folder, which has no VAE" : "a \(pipeline) folder, which has no VAE")
        case .embeddingsUnavailable(let pipeline):
            "--embedding applies to Stable Diffusion folders (it adds tokens to their text encoder); this is "
                + (pipeline.isEmpty ? "a UNet2DModel folder" : "a \(pipeline) folder")
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
