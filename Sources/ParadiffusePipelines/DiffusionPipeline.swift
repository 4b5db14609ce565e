import Foundation
import Logging
import ParadiffuseLoading
import ParadiffuseModels
import ParadiffuseSamplers
import ParadiffuseTensors

/// Any model folder Paradiffuse runs, loaded as the pipeline its `model_index.json` names — the library's one
/// entry point:
///
/// ```swift
/// let pipeline = try DiffusionPipeline(folder: URL(fileURLWithPath: "stable-diffusion-v1-5"))
/// let result = try await pipeline.generate(GenerationRequest(seed: 42, prompt: PromptRequest(prompts: ["a fox"])))
/// try result.pngData()[0].write(to: URL(fileURLWithPath: "fox.png"))
/// ```
///
/// Stable Diffusion and LCM folders take prompts (and input images and masks); DiT folders take classes; DDPM and
/// DDIM folders and bare UNet2DModel folders take classes when class-conditional. Nothing is written to disk.
public final class DiffusionPipeline: Sendable {
    /// The model folder (for the default model, inside the library's resources).
    public let folder: URL
    /// The model's name in image parameters: the folder's name, or the repository id of a Hugging Face cache
    /// snapshot.
    public let modelName: String
    /// The loaded pipeline, of the type the folder's pipeline class names.
    public let pipeline: any ImagePipeline
    public let precision: Precision
    public let quantization: Quantization
    /// Where the pipeline reports what it does: loading and each generation at `debug`, warnings about a request
    /// (a prompt cut to the text encoder's length) at `warning`, as well as in `GenerationResult.warnings`.
    public let logger: Logger
    /// How previews turn a model call into the x̂₀ it predicts.
    private let denoisedEstimate: DenoisedEstimate?

    /// Loads the folder (nil: the small digits model that ships with Paradiffuse) with its models computing in
    /// `precision` (`.automatic()` picks bfloat16 where the CPU computes it natively), their layers quantized as
    /// `quantization` asks, from weights of `variant` (e.g. "fp16" for `*.fp16.safetensors`) when given, with the
    /// VAE of the component folder `vae` instead of the folder's own when given, and the textual-inversion
    /// `embeddings` loaded (Stable Diffusion folders). `logger` defaults to swift-log's global one, labelled
    /// "paradiffuse".
    public init(folder: URL? = nil, precision: Precision = .float32, quantization: Quantization = .none,
                variant: String? = nil, vae: URL? = nil, embeddings: [TextualInversion] = [],
                logger: Logger = Logger(label: "paradiffuse")) throws {
        let started = ProgressReporter.monotonicSeconds()
        self.logger = logger
        let resolved = precision.resolved()
        self.folder = folder ?? DefaultModel.url
        modelName = folder.map { HuggingFaceCache.repositoryID(ofSnapshot: $0) ?? $0.lastPathComponent }
            ?? "paradiffuse-digits (default)"
        self.precision = resolved
        self.quantization = quantization
        let className = try DiffusersFolder(url: self.folder).modelIndex?.className ?? ""
        if className.hasPrefix("StableDiffusion") || className == StableDiffusionPipeline.latentConsistencyPipeline {
            pipeline = try StableDiffusionPipeline(folder: self.folder, variant: variant, precision: resolved,
                                                   quantization: quantization, vae: vae).loading(embeddings)
        } else if !embeddings.isEmpty {
            throw GenerationError.embeddingsUnavailable(pipeline: className)
        } else if className == "DiTPipeline" {
            if quantization != .none { throw GenerationError.quantizationUnavailable(pipeline: className) }
            pipeline = try DiTPipeline(folder: self.folder, variant: variant, precision: resolved, vae: vae)
        } else {
            if let variant { throw GenerationError.variantUnavailable(variant, pipeline: className) }
            if vae != nil { throw GenerationError.vaeUnavailable(pipeline: className) }
            pipeline = try UnconditionalPipeline(folder: self.folder, precision: resolved, quantization: quantization,
                                                 defaultGuidance: folder == nil ? DefaultModel.guidance : 1)
        }
        denoisedEstimate = DenoisedEstimate(schedulerConfig: pipeline.previewSchedulerConfig)
        let seconds = String(format: "%.2f", ProgressReporter.monotonicSeconds() - started)
        logger.debug("loaded \(type(of: pipeline)) from \(self.folder.path) in \(seconds) s",
                     metadata: ["precision": "\(resolved.rawValue)", "quantization": "\(quantization.rawValue)",
                                "cpu": "\(CPUCapabilities.current)"])
    }

    /// Generates what `request` asks for on this thread. `monitor` receives the progress and can cancel the run
    /// (it then throws `CancellationError` before its next model call); `distributing` wraps the sampler, e.g. to
    /// divide its model calls among processes.
    public func generate(_ request: GenerationRequest, monitor: GenerationMonitor = GenerationMonitor(),
                         distributing: (any Sampler) -> any Sampler = { $0 }) throws -> GenerationResult {
        try monitor.checkCancellation()
        logger.debug("generating \(request.imageCount) image\(request.imageCount == 1 ? "" : "s")", metadata: [
            "seed": "\(request.seed)", "steps": "\(request.steps.map(String.init) ?? "default")",
            "sampler": "\(request.sampling.method.rawValue)", "perImageSeeds": "\(request.perImageSeeds)",
        ])
        var result = try pipeline.generate(request) {
            MonitoredSampler(base: distributing($0), monitor: monitor, preview: pipeline.preview(of:),
                             denoising: denoisedEstimate)
        }
        for index in result.parameters.indices {
            result.parameters[index].model = modelName
            result.parameters[index].sigmaSpacing = request.schedulerSettings.sigmaSpacing
            result.parameters[index].precision = precision.rawValue
            result.parameters[index].quantization = quantization == .none ? nil : quantization.rawValue
        }
        result.report.precision = precision.rawValue
        result.report.quantization = quantization.rawValue
        result.report.cpu = CPUCapabilities.current.summary
        for warning in result.warnings { logger.warning("\(warning)") }
        logger.debug("\(result.report.summary)")
        return result
    }

    /// Generates what `request` asks for on a thread of its own. `progress` is called after every step (or
    /// parallel iteration), with a preview of the latents every `previewInterval` of them when given; returning
    /// false cancels the run, as cancelling the calling task does: it then throws `CancellationError` before its
    /// next model call.
    public func generate(_ request: GenerationRequest, previewInterval: Int? = nil,
                         progress: @escaping GenerationMonitor.Handler = { _ in true }) async throws -> GenerationResult {
        let monitor = GenerationMonitor(previewInterval: previewInterval, handler: progress)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let thread = Thread {
                    continuation.resume(with: Result { try self.generate(request, monitor: monitor) })
                }
                thread.stackSize = Self.generationStackBytes
                thread.start()
            }
        } onCancel: {
            monitor.cancel()
        }
    }

    /// The stack of a generation's thread: a main thread's.
    static let generationStackBytes = 8 << 20
}
