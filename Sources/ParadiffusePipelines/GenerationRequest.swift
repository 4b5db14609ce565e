import Foundation
import ParadiffuseSchedulers
import ParadiffuseTensors

/// What one generation asks of a pipeline: everything but the model, its number format, and where results go.
public struct GenerationRequest: Sendable, Equatable {
    /// Denoising steps, or nil for the pipeline's default (50 for Stable Diffusion and DiT, 4 for LCM, otherwise the
    /// scheduler's: 50 for DDIM, the training steps — 1000 — for DDPM).
    public var steps: Int?
    /// The scheduler, or nil for the one the model folder's `scheduler/scheduler_config.json` names.
    public var scheduler: SchedulerKind?
    /// DDIM's η in [0, 1]: 0 is deterministic DDIM, 1 adds DDPM's amount of noise. Nil for the pipeline default (0).
    public var eta: Float?
    /// Seed of the PyTorch-compatible generator that draws the initial latents and the noise of every step.
    public var seed: UInt64
    /// Give image `i` its own generator seeded `seed + i` (diffusers given a list of generators; the A1111 web UI's
    /// and stable-diffusion.cpp's habit), so that image `i` can be made again alone with that seed; false: one
    /// generator for the whole batch (diffusers given one generator).
    public var perImageSeeds = false
    /// Images to generate, as one batch (for Stable Diffusion: per prompt).
    public var count: Int
    /// The class of class-conditional models (e.g. an ImageNet class index for DiT); nil for unconditional ones.
    public var classLabel: Int?
    /// The class by name, for folders with class names (`id2label` in a DiT folder's `model_index.json`).
    public var classLabelName: String?
    /// Classifier-free guidance scale, or nil for the pipeline default. As in diffusers, values ≤ 1 mean no guidance.
    public var guidance: Float?
    /// Whether to run even when the memory estimate exceeds the memory available (`MemoryEstimate`).
    public var force = false
    /// Karras sigmas and timestep spacing, over the folder's scheduler configuration.
    public var schedulerSettings = SchedulerSettings()
    /// How the time loop runs, and its settings.
    public var sampling: SamplingRequest
    /// Prompts and image inputs, for Stable Diffusion folders; nil for unconditional and class-conditional models.
    public var prompt: PromptRequest?

    public init(steps: Int? = nil, scheduler: SchedulerKind? = nil, eta: Float? = nil, seed: UInt64, count: Int = 1,
                classLabel: Int? = nil, guidance: Float? = nil, schedulerSettings: SchedulerSettings = SchedulerSettings(),
                sampling: SamplingRequest = SamplingRequest(), prompt: PromptRequest? = nil) {
        self.steps = steps
        self.scheduler = scheduler
        self.eta = eta
        self.seed = seed
        self.count = count
        self.classLabel = classLabel
        self.guidance = guidance
        self.schedulerSettings = schedulerSettings
        self.sampling = sampling
        self.prompt = prompt
    }

    /// Images the request makes: `count` per prompt.
    public var imageCount: Int { count * (prompt?.prompts.count ?? 1) }
}
