import Dispatch
import ParadiffuseSchedulers
import ParadiffuseTensors

/// ParaDiGMS (Shih et al. 2023, "Parallel Sampling of Diffusion Models"): Picard iteration over a sliding window of
/// `parallel` timesteps, as diffusers' `StableDiffusionParadigmsPipeline` runs it. Each iteration evaluates the
/// denoiser once on the whole window, updates every point of the window from the window's first point, and slides
/// the window past the points that stopped moving (by at least one step). Noise is drawn up front, so the result is
/// the sequential sampler's up to the tolerance.
///
/// Multistep schedulers (DPM-Solver) look back on the model outputs of earlier steps: inside the window on those of
/// the same denoiser call, before it on those last computed there, so the fixed point is the sequential solver's
/// trajectory with its orders. (The paradigms repository instead restarts each window at first order, whose fixed
/// point depends on where the windows fell.)
///
/// Where diffusers' pipeline departs from its own sequential sampling, this follows the sequential sampler: noise is
/// drawn only where `step` draws and scaled as `step` scales it (diffusers draws at every timestep and scales by
/// √`_get_variance`, which is not the variance for the `*_log` variance types), and DDIM with η > 0 adds its noise
/// (diffusers treats every DDIM as an ODE). The error test is diffusers' for every scheduler but DDPM `fixed_large`,
/// whose threshold diffusers takes from β_t instead of the posterior variance.
public struct ParaDiGMSSampler: Sampler, Sendable, Equatable {
    public static let name = "ParaDiGMS"

    /// Timesteps in the window (clamped to the number of steps).
    public let parallel: Int
    /// Converged means a mean squared change per image of at most `tolerance² · σ̃²` (0: only exact fixed points).
    public let tolerance: Double
    /// Stop after this many denoiser calls even if the window has not reached the end; the result is then the
    /// furthest point computed.
    public let maxIterations: Int?
    /// Whether to keep every point of the final trajectory in the result.
    public let keepsTrajectory: Bool

    public init(parallel: Int, tolerance: Double = 0.1, maxIterations: Int? = nil, keepsTrajectory: Bool = false) throws {
        guard parallel >= 1 else {
            throw SamplerError.invalidParameter(sampler: Self.name, parameter: "parallel",
                                                reason: "must be at least 1, got \(parallel)")
        }
        guard tolerance >= 0, tolerance.isFinite else {
            throw SamplerError.invalidParameter(sampler: Self.name, parameter: "tolerance",
                                                reason: "must be a finite number ≥ 0, got \(tolerance)")
        }
        if let maxIterations, maxIterations < 1 {
            throw SamplerError.invalidParameter(sampler: Self.name, parameter: "maxIterations",
                                                reason: "must be at least 1, got \(maxIterations)")
        }
        self.parallel = parallel
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.keepsTrajectory = keepsTrajectory
    }

    /// `progress` counts the steps behind the window after each iteration, with the window's last point.
    public func sample(_ latents: Tensor, scheduler: inout any Scheduler, denoiser: Denoiser, noise: NoiseSource,
                       progress: (SamplingProgress) -> Void = { _ in }) throws -> SamplingResult {
        let start = DispatchTime.now().uptimeNanoseconds
        guard let scheduler = scheduler as? any ParallelScheduler else {
            throw SamplerError.schedulerNotParallel(sampler: Self.name, scheduler: "\(type(of: scheduler))")
        }
        guard latents.batchSize == denoiser.imagesPerGroup else {
            throw SamplerError.batchMismatch(sampler: Self.name, latents: latents.batchSize,
                                             imagesPerGroup: denoiser.imagesPerGroup)
        }
        let timesteps = scheduler.timesteps
        let stepNoise = try PredrawnNoise(scheduler: scheduler, latents: latents, source: noise, sampler: Self.name)
        let thresholds = try ConvergenceThresholds(scheduler: scheduler, tolerance: tolerance)
        let windowSize = min(parallel, timesteps.count)
        var trajectory = Array(repeating: latents, count: timesteps.count + 1)
        var evaluated = [EvaluatedStep?](repeating: nil, count: timesteps.count)
        var statistics = SamplingStatistics()
        var window = 0..<windowSize

        while !window.isEmpty, statistics.parallelIterations < maxIterations ?? .max {
            let inputs = Array(trajectory[window])
            let earlier = evaluated[max(window.lowerBound - scheduler.lookback, 0)..<window.lowerBound].map { $0! }
            let (transitions, modelOutputs) = try scheduler.noiseFreeSteps(from: inputs, steps: window,
                                                                           earlier: earlier, denoiser: denoiser)
            if scheduler.lookback > 0 {
                for (step, (input, output)) in zip(window, zip(inputs, modelOutputs)) {
                    evaluated[step] = EvaluatedStep(sample: input, modelOutput: output)
                }
            }
            let updated = PicardUpdate.updatedPoints(inputs: inputs, transitions: transitions,
                                                     noise: stepNoise.scaledNoise[window])
            let convergedCount = zip(window, updated).prefix { step, point in
                thresholds.isConverged(point: step + 1, updated: point, previous: trajectory[step + 1])
            }.count
            trajectory.replaceSubrange(window.lowerBound + 1...window.upperBound, with: updated)
            // The first point that moved too much came from points that did not, so it is final as well.
            let finalSteps = min(convergedCount + 1, windowSize)
            let nextBegin = min(window.lowerBound + finalSteps, timesteps.count)
            let nextWindow = nextBegin..<min(nextBegin + windowSize, timesteps.count)
            initializeNewPoints(&trajectory, after: window, upTo: nextWindow.upperBound)
            statistics.parallelIterations += 1
            statistics.modelEvaluations += window.count * latents.batchSize
            progress(SamplingProgress(completed: nextBegin, total: timesteps.count, latents: trajectory[window.upperBound]))
            window = nextWindow
        }
        if !window.isEmpty { initializeNewPoints(&trajectory, after: window, upTo: timesteps.count) }
        statistics.wallSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return SamplingResult(latents: trajectory[timesteps.count], statistics: statistics,
                              trajectory: keepsTrajectory ? trajectory : nil)
    }

    /// Points entering the window start where the last window ended, as in diffusers.
    private func initializeNewPoints(_ trajectory: inout [Tensor], after window: Range<Int>, upTo last: Int) {
        guard last > window.upperBound else { return }
        for point in window.upperBound + 1...last { trajectory[point] = trajectory[window.upperBound] }
    }
}
