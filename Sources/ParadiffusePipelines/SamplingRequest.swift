import Foundation

/// The sampler of one generation and what to record about it.
public struct SamplingRequest: Sendable, Equatable {
    public enum Method: String, Sendable, CaseIterable {
        case sequential
        case paradigms
        case parataa
    }

    public var method = Method.sequential
    /// ParaDiGMS: timesteps per window (default 16).
    public var parallel: Int?
    /// ParaDiGMS: the error tolerance (default 0.1). ParaTAA: both residual tolerances (default 1e-3).
    public var tolerance: Double?
    /// ParaTAA: the order k of the triangular system (default 20 as in the reference, at most the window).
    public var order: Int?
    /// ParaTAA: Anderson memory m (default 2; 1 is plain fixed-point iteration).
    public var memory: Int?
    /// ParaTAA: steps evaluated per iteration (default: all steps).
    public var window: Int?
    /// Parallel samplers: stop after this many iterations.
    public var maxIterations: Int?
    /// Keep the whole trajectory (latents before each step and after the last) in the result.
    public var keepsTrajectory = false
    /// ParaTAA: start from a trajectory saved by an earlier run with the same scheduler and steps.
    public var initialTrajectory: URL?
    /// ParaTAA with an initial trajectory: recompute only the last N steps (default: all).
    public var variationSteps: Int?
    /// Also run the sequential sampler with the same noise and report the difference.
    public var compareSequential = false

    public init() {}
}
