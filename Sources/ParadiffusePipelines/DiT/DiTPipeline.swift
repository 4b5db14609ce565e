import Foundation
import ParadiffuseLoading
import ParadiffuseModels
import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors

/// diffusers' DiTPipeline: a class-conditional DiTTransformer2DModel denoising in the latent space of an
/// AutoencoderKL, with a scheduler, loaded from a diffusers folder (facebook/DiT-XL-2-256 and the like), and the
/// class names of the folder's `id2label`.
public final class DiTPipeline: Sendable {
    public let folder: URL
    public let transformer: DiTTransformer2DModel
    public let vae: AutoencoderKL
    /// The folder's `scheduler/scheduler_config.json`.
    public let schedulerConfig: JSONConfig
    public let labels: ClassLabelNames

    /// Loads a DiT folder (`model_index.json` with `transformer`, `vae` and `scheduler`, optionally `id2label`) whose
    /// transformer and VAE compute in `precision` (latents and the scheduler stay float32).
    /// `vae`: a VAE component folder to use instead of the folder's own (its own weights, not the variant's).
    public convenience init(folder: URL, variant: String? = nil, precision: Precision = .float32,
                            vae vaeFolder: URL? = nil) throws {
        let diffusers = try DiffusersFolder(url: folder)
        guard let index = diffusers.modelIndex else { throw LoadingError.notAPipelineFolder(folder, component: "transformer") }
        try self.init(transformer: DiTTransformer2DModel(componentFolder: diffusers.componentURL("transformer"),
                                                         variant: variant, precision: precision),
                      vae: AutoencoderKL(componentFolder: vaeFolder ?? diffusers.componentURL("vae"),
                                         variant: vaeFolder == nil ? variant : nil, precision: precision),
                      schedulerConfig: diffusers.componentConfig("scheduler"),
                      labels: ClassLabelNames(modelIndex: index), folder: folder)
    }

    /// Checks that the transformer denoises the VAE's latents.
    public init(transformer: DiTTransformer2DModel, vae: AutoencoderKL, schedulerConfig: JSONConfig,
                labels: ClassLabelNames, folder: URL) throws {
        guard transformer.configuration.inChannels == vae.configuration.latentChannels else {
            throw ModelError.invalidConfiguration(file: folder.appendingPathComponent("transformer/config.json").path,
                                                  key: "in_channels", reason:
                "is \(transformer.configuration.inChannels), but the VAE has \(vae.configuration.latentChannels) latent channels")
        }
        self.transformer = transformer
        self.vae = vae
        self.schedulerConfig = schedulerConfig
        self.labels = labels
        self.folder = folder
    }

    /// One generation's settings, named and defaulted as DiTPipeline's `__call__` arguments.
    public struct Configuration: Sendable {
        /// One class per image.
        public var classLabels: [Int]
        /// Classifier-free guidance against the null class; at most 1 turns it off.
        public var guidanceScale: Float
        public var steps: Int
        /// nil: the folder's scheduler.
        public var scheduler: SchedulerKind?
        /// DDIM's η.
        public var eta: Double
        /// Seed of the CPU generator diffusers would be given (`torch.manual_seed(seed)`).
        public var seed: UInt64
        /// Give image `i` of the batch its own generator seeded `seed + i` (diffusers with a list of generators), so
        /// that it can be made again alone; false: one generator for the batch.
        public var perImageSeeds = false
        /// Karras sigmas, timestep spacing.
        public var schedulerSettings = SchedulerSettings()

        public init(classLabels: [Int], guidanceScale: Float = GenerationDefaults.diT.guidance,
                    steps: Int = GenerationDefaults.diT.steps, scheduler: SchedulerKind? = nil,
                    eta: Double = 0, seed: UInt64) {
            self.classLabels = classLabels
            self.guidanceScale = guidanceScale
            self.steps = steps
            self.scheduler = scheduler
            self.eta = eta
            self.seed = seed
        }
    }

    public struct Output {
        /// The final latents `[N, C, s, s]`, one image per class label.
        public let latents: Tensor
        /// The decoded images `[N, 3, s·f, s·f]` in [-1, 1].
        public let images: Tensor
        public let schedulerName: String
        public let timesteps: [Int]
        public let statistics: SamplingStatistics
        /// The latents before each step and after the last, when the sampler keeps them.
        public let trajectory: [Tensor]?
    }

    /// The scheduler a configuration asks for (the folder's unless `configuration.scheduler` names another),
    /// set to `configuration.steps`.
    public func makeScheduler(_ configuration: Configuration) throws -> (scheduler: any Scheduler, name: String) {
        try PipelineScheduler.make(configuration.scheduler, config: schedulerConfig,
                                   settings: configuration.schedulerSettings, eta: configuration.eta,
                                   steps: configuration.steps, source: folder)
    }

    /// Samples as DiTPipeline does: initial latents `[N, C, s, s]` are the generator's first draw (not scaled by the
    /// scheduler's initial sigma); with guidance, the scheduler steps the doubled batch, so each noise draw of a
    /// stochastic scheduler is made for twice the latents, of which the first half is used. With per-image seeds
    /// each draw is one item per image (diffusers refuses a generator list shorter than the doubled batch).
    public func generate(_ configuration: Configuration, sampler: Sampler = SequentialSampler(),
                         progress: (SamplingProgress) -> Void = { _ in }) throws -> Output {
        guard configuration.steps >= 1 else {
            throw ModelError.invalidInput(parameter: "steps", reason: "is \(configuration.steps); must be at least 1")
        }
        let guidance = configuration.guidanceScale > 1
            ? ClassifierFreeGuidance(scale: configuration.guidanceScale, order: .conditionalFirst) : nil
        let denoiser = GuidedDenoiser(network: try DiTNetwork(model: transformer, classLabels: configuration.classLabels),
                                      guidance: guidance)
        var (scheduler, name) = try makeScheduler(configuration)
        let model = transformer.configuration
        var generator = BatchGenerator(seed: configuration.seed,
                                       perImage: configuration.perImageSeeds ? configuration.classLabels.count : nil)
        let initial = generator.randn([configuration.classLabels.count, model.inChannels, model.sampleSize,
                                       model.sampleSize])
        let noise: NoiseSource = guidance != nil && !generator.perImage
            ? { shape in generator.randn([2 * shape[0]] + shape.dropFirst()).batchItems(0..<shape[0]) }
            : { generator.randn($0) }
        let result = try sampler.sample(initial, scheduler: &scheduler, denoiser: denoiser, noise: noise,
                                        progress: progress)
        return Output(latents: result.latents, images: try decode(result.latents), schedulerName: name,
                      timesteps: scheduler.timesteps, statistics: result.statistics, trajectory: result.trajectory)
    }

    /// Latents decoded to images in [-1, 1]: `vae.decode(1 / scaling_factor · latents)`.
    public func decode(_ latents: Tensor) throws -> Tensor {
        try vae.decode((1 / vae.configuration.scalingFactor) * latents)
    }
}
