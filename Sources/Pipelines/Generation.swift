import Foundation
import Loading
import Schedulers
import Tensors

/// Runs a generation request end to end: load, sample, write the images (and grid, latents) atomically.
public enum Generation {
    public static func run(_ request: GenerationRequest, progress: ProgressReporter) throws {
        let folder = request.model ?? DefaultModel.url
        let files = request.outputFiles
        try files.checkWritable(overwrite: request.overwrite)
        let pipeline = try UnconditionalPipeline(folder: folder)
        let configuration = UnconditionalPipeline.Configuration(
            scheduler: try request.scheduler.map { try SchedulerKind(named: $0.rawValue) },
            steps: request.steps, eta: Double(request.eta ?? 0), seed: request.seed, count: request.count,
            classLabel: request.classLabel,
            guidance: request.guidance ?? (request.model == nil ? DefaultModel.guidance : 1))

        let steps = try pipeline.makeScheduler(configuration).scheduler.timesteps.count
        progress.start(total: steps)
        let output = try pipeline.generate(configuration) { done, _ in progress.update(completed: done) }
        progress.finish()

        let images = try RGBImage.images(fromBatch: output.samples)
        let modelName = request.model?.lastPathComponent ?? "paradiffuse-digits (default)"
        for (index, image) in images.enumerated() {
            let parameters = GenerationParameters(
                model: modelName, scheduler: output.schedulerName, steps: output.timesteps.count, seed: request.seed,
                width: image.width, height: image.height, eta: request.eta,
                guidance: configuration.guidance > 1 ? configuration.guidance : nil,
                classLabel: output.classLabels?[index],
                batchPosition: images.count > 1 ? (index, images.count) : nil)
            try image.write(to: files.images[index], textChunks: parameters.pngTextChunks, overwrite: request.overwrite)
        }
        if let grid = files.grid {
            try RGBImage.grid(images).write(to: grid, overwrite: request.overwrite)
        }
        if let latents = files.latents {
            try SafetensorsWriter.write(["latents": output.samples], metadata: ["seed": "\(request.seed)"], to: latents)
        }
        let statistics = output.statistics
        progress.message(String(format: "%d image(s) in %.1f s (%d model evaluations): %@", images.count,
                                statistics.wallSeconds, statistics.modelEvaluations,
                                files.all.map(\.path).joined(separator: ", ")))
    }
}
