/// What one ParaTAA iteration saw, for logging and diagnostics.
public struct ParaTAAIterationReport: Sendable, Equatable {
    /// 1 for the first batched denoiser call.
    public let iteration: Int
    /// The steps evaluated in this iteration (step `n` maps trajectory entry `n` to entry `n + 1`).
    public let window: Range<Int>
    /// For each step of the window, then each image: the RMS of its one-step residual `Φ_n(x_n) − x_{n+1}`
    /// before the update, the quantity the convergence test compares with the step's tolerance.
    public let residualNorms: [[Double]]
    /// Steps that are final after this iteration.
    public let convergedSteps: Int
}
