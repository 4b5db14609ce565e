/// How far a generation has come, as its sampler reports it.
public struct GenerationProgress: Sendable, Equatable {
    /// Units done and in all: denoising steps for the sequential sampler, the parallel samplers' own measure
    /// (ParaDiGMS: timesteps behind the window; ParaTAA: converged steps) for the others.
    public var completed: Int
    public var total: Int
    /// The timestep of the last step done, when the sampler counts steps done in order (all three do).
    public var timestep: Int?
    /// Seconds since sampling started.
    public var elapsedSeconds: Double
    /// When the monitor asks for previews and this report is due one: the batch's current latents as a picture
    /// (a grid, one cell per image; latent models through a linear latent → RGB map, as ComfyUI's previews).
    public var preview: RGBImage?

    public init(completed: Int, total: Int, timestep: Int? = nil, elapsedSeconds: Double, preview: RGBImage? = nil) {
        self.completed = completed
        self.total = total
        self.timestep = timestep
        self.elapsedSeconds = elapsedSeconds
        self.preview = preview
    }
}
