import Foundation
import ParadiffuseLoading
import ParadiffuseModels
import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors

/// DDPMPipeline / DDIMPipeline (and class-conditional UNet2DModels): a UNet2DModel and a scheduler loaded from a
/// diffusers folder, sampling images directly in pixel space.
public final class UnconditionalPipeline: Sendable {
    public let folder: URL
    public let model: UNet2DModel
    /// The folder's `scheduler/scheduler_config.json`, or nil for a bare UNet folder.
    public let schedulerConfig: JSONConfig?
    /// The guidance scale of requests that give none: 1 (none) unless the model is known to need more.
    public let defaultGuidance: Float

    /// Loads a DDPMPipeline-style folder (`model_index.json`, `unet/`, `scheduler/`) or a bare UNet folder; the
    /// model computes in `precision`, its layers quantized as `quantization` asks; requests without a guidance
    /// scale take `defaultGuidance`.
    public convenience init(folder: URL, precision: Precision = .float32, quantization: Quantization = .none,
                            defaultGuidance: Float = 1) throws {
        let diffusers = try DiffusersFolder(url: folder)
        switch diffusers.kind {
        case .pipeline(let index):
            try self.init(model: UNet2DModel(componentFolder: diffusers.componentURL("unet"), precision: precision,
                                             quantization: quantization),
                          schedulerConfig: index.components["scheduler"] == nil ? nil : diffusers.componentConfig("scheduler"),
                          folder: folder, defaultGuidance: defaultGuidance)
        case .component:
            try self.init(model: UNet2DModel(componentFolder: folder, precision: precision, quantization: quantization),
                          schedulerConfig: nil, folder: folder, defaultGuidance: defaultGuidance)
        }
    }

    public init(model: UNet2DModel, schedulerConfig: JSONConfig?, folder: URL, defaultGuidance: Float = 1) {
        self.model = model
        self.schedulerConfig = schedulerConfig
        self.folder = folder
        self.defaultGuidance = defaultGuidance
    }

    /// One generation's settings.
    public struct Configuration {
        public var scheduler: SchedulerKind?
        public var steps: Int?
        public var eta: Double
        public var seed: UInt64
        public var count: Int
        public var classLabel: Int?
        public var guidance: Float
        /// How the time loop runs: sequentially (the default), or in parallel over time (ParaDiGMS, ParaTAA).
        public var sampler: any Sampler
        /// Give image `i` of the batch its own generator seeded `seed + i` (diffusers with a list of generators), so
        /// that it can be made again alone; false: one generator for the batch.
        public var perImageSeeds = false
        /// Karras sigmas, timestep spacing.
        public var schedulerSettings = SchedulerSettings()

        public init(scheduler: SchedulerKind? = nil, steps: Int? = nil, eta: Double = 0, seed: UInt64, count: Int = 1,
                    classLabel: Int? = nil, guidance: Float = 1, sampler: any Sampler = SequentialSampler()) {
            self.scheduler = scheduler
            self.steps = steps
            self.eta = eta
            self.seed = seed
            self.count = count
            self.classLabel = classLabel
            self.guidance = guidance
            self.sampler = sampler
        }
    }

    public struct Output {
        /// Final samples `[count, C, H, W]` in the model's range ([-1, 1]).
        public let samples: Tensor
        public let classLabels: [Int]?
        public let schedulerName: String
        public let timesteps: [Int]
        public let statistics: SamplingStatistics
        /// The latents before each step and after the last, when the sampler keeps them.
        public let trajectory: [Tensor]?
    }

    /// The scheduler a configuration asks for, set to its step count (DDPM defaults to every training step,
    /// others to 50, as diffusers' pipelines do).
    public func makeScheduler(_ configuration: Configuration) throws -> (scheduler: any Scheduler, name: String) {
        try PipelineScheduler.make(configuration.scheduler, config: schedulerConfig,
                                   settings: configuration.schedulerSettings, eta: configuration.eta,
                                   steps: configuration.steps, source: folder)
    }

    /// The class of each image: the one asked for, or for class-conditional models without one, classes in
    /// turn (0, 1, 2, ...) leaving out the null class when guidance uses it.
    public func classLabels(_ configuration: Configuration) throws -> [Int]? {
        let classCount = model.configuration.classEmbedCount
        guard model.configuration.isClassConditional else {
            if configuration.classLabel != nil {
                throw ModelError.invalidInput(parameter: "--class", reason: "the model in \(folder.path) is not class-conditional")
            }
            return nil
        }
        if let label = configuration.classLabel {
            if let classCount, !(0..<classCount).contains(label) {
                throw ModelError.invalidInput(parameter: "--class", reason: "\(label) is outside the model's classes 0..<\(classCount)")
            }
            return Array(repeating: label, count: configuration.count)
        }
        let usable = max(1, (classCount ?? 1) - (configuration.guidance > 1 ? 1 : 0))
        return (0..<configuration.count).map { $0 % usable }
    }

    public func generate(_ configuration: Configuration,
                         progress: (SamplingProgress) -> Void = { _ in }) throws -> Output {
        guard configuration.count >= 1 else { throw ModelError.invalidInput(parameter: "count", reason: "must be at least 1") }
        var (scheduler, name) = try makeScheduler(configuration)
        let labels = try classLabels(configuration)
        var nullClass: Int?
        if configuration.guidance > 1 {
            guard let classCount = model.configuration.classEmbedCount, labels != nil else {
                throw ModelError.invalidInput(parameter: "--guidance",
                                              reason: "classifier-free guidance needs a class-conditional model with a null class")
            }
            nullClass = classCount - 1
        }
        let network = try UNet2DNetwork(model: model, images: configuration.count, classLabels: labels,
                                        nullClass: nullClass)
        let denoiser = GuidedDenoiser(network: network, guidance: nullClass.map { _ in
            ClassifierFreeGuidance(scale: configuration.guidance, order: .conditionalFirst)
        })

        let size = model.configuration.sampleSize ?? [32, 32]
        var generator = BatchGenerator(seed: configuration.seed,
                                       perImage: configuration.perImageSeeds ? configuration.count : nil)
        let initial = generator.randn([configuration.count, model.configuration.inChannels, size[0], size[1]])
            * scheduler.initNoiseSigma
        let result = try configuration.sampler.sample(initial, scheduler: &scheduler, denoiser: denoiser,
                                                      noise: { generator.randn($0) }, progress: progress)
        return Output(samples: result.latents, classLabels: labels, schedulerName: name,
                      timesteps: scheduler.timesteps, statistics: result.statistics, trajectory: result.trajectory)
    }
}
