import ParadiffuseTensors

/// How far a sampler has come, in its own unit (steps, or steps final so far for the parallel samplers), and the
/// latents it holds at the furthest point it has reached: the latest `x_t`, for previews.
public struct SamplingProgress {
    public var completed: Int
    public var total: Int
    public var latents: Tensor

    public init(completed: Int, total: Int, latents: Tensor) {
        self.completed = completed
        self.total = total
        self.latents = latents
    }
}
