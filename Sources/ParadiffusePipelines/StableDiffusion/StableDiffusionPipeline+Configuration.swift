import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors

extension StableDiffusionPipeline {
    /// One generation's settings, named and defaulted as diffusers' `__call__` arguments.
    public struct Configuration: Sendable {
        /// One or several prompts; each makes `imagesPerPrompt` images.
        public var prompts: [String]
        /// None (the empty prompt), one for every prompt, or one per prompt; used only with guidance.
        public var negativePrompts: [String]
        public var imagesPerPrompt: Int
        /// Classifier-free guidance scale; at most 1 turns guidance off (one UNet pass per image), as in diffusers.
        public var guidanceScale: Float
        /// diffusers' `guidance_rescale` φ in [0, 1].
        public var guidanceRescale: Float
        /// Image size in pixels for text-to-image; nil takes the UNet's `sample_size` times the VAE factor.
        /// Image-to-image takes the input image's size and rejects these.
        public var width: Int?
        public var height: Int?
        public var steps: Int
        /// nil: the folder's scheduler.
        public var scheduler: SchedulerKind?
        /// DDIM's η.
        public var eta: Double
        /// Seed of the CPU `torch.Generator` diffusers would be given.
        public var seed: UInt64
        /// Prompt embeddings from the layer `clipSkip` layers before the last (diffusers' `clip_skip`).
        public var clipSkip: Int?
        /// Give image `i` of the batch its own generator seeded `seed + i` (diffusers with a list of generators), so
        /// that it can be made again alone; false: one generator for the batch.
        public var perImageSeeds = false
        /// Karras sigmas, timestep spacing.
        public var schedulerSettings = SchedulerSettings()

        public init(prompts: [String], negativePrompts: [String] = [], imagesPerPrompt: Int = 1,
                    guidanceScale: Float = GenerationDefaults.stableDiffusion.guidance, guidanceRescale: Float = 0,
                    width: Int? = nil, height: Int? = nil, steps: Int = GenerationDefaults.stableDiffusion.steps,
                    scheduler: SchedulerKind? = nil, eta: Double = 0, seed: UInt64, clipSkip: Int? = nil) {
            self.prompts = prompts
            self.negativePrompts = negativePrompts
            self.imagesPerPrompt = imagesPerPrompt
            self.guidanceScale = guidanceScale
            self.guidanceRescale = guidanceRescale
            self.width = width
            self.height = height
            self.steps = steps
            self.scheduler = scheduler
            self.eta = eta
            self.seed = seed
            self.clipSkip = clipSkip
        }
    }

    public struct Output {
        /// The final latents `[N, C, h, w]` (diffusers' `output_type="latent"`), N = prompts × images per prompt,
        /// prompt 0's images first.
        public let latents: Tensor
        /// The decoded images `[N, 3, H, W]` in [-1, 1].
        public let images: Tensor
        /// diffusers' warning for each prompt longer than the text encoder takes, which was cut.
        public let truncationWarnings: [String]
        public let schedulerName: String
        /// The timesteps of the denoising steps run (fewer than `steps` for image-to-image).
        public let timesteps: [Int]
        public let statistics: SamplingStatistics

        /// The denoising steps run.
        public var steps: Int { timesteps.count }
    }
}
