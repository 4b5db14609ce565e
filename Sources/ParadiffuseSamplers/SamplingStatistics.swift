/// What a sampling run cost.
public struct SamplingStatistics: Codable, Sendable, Equatable {
    /// Sequential rounds of denoiser calls (the latency that matters when calls run in parallel).
    public var parallelIterations: Int
    /// Latents that went through the denoiser, counted per image (classifier-free guidance doubles network work).
    public var modelEvaluations: Int
    /// Wall-clock time of the sampling loop.
    public var wallSeconds: Double

    public init(parallelIterations: Int = 0, modelEvaluations: Int = 0, wallSeconds: Double = 0) {
        self.parallelIterations = parallelIterations
        self.modelEvaluations = modelEvaluations
        self.wallSeconds = wallSeconds
    }

    enum CodingKeys: String, CodingKey {
        case parallelIterations = "parallel_iterations"
        case modelEvaluations = "model_evaluations"
        case wallSeconds = "wall_seconds"
    }
}
