import Dispatch
import ParadiffuseSchedulers
import ParadiffuseTensors

/// ParaTAA (Tang et al., "Accelerating Parallel Sampling of Diffusion Models", ICML 2024; reference code
/// TZW1998/ParaTAA-Diffusion): the whole trajectory is solved as a triangular nonlinear system of order `order`
/// (`TriangularSystem`) by fixed-point iteration, accelerated by triangular Anderson acceleration with `memory`
/// iterations (`TriangularAnderson`; memory 1 is the plain fixed-point iteration).
///
/// Each iteration evaluates a window of up to `window` consecutive unconverged steps in one batched denoiser call
/// (one group of `imagesPerGroup` latents per step, in step order), then updates all of them. A step has
/// converged when, for every image, the RMS of its one-step residual is at most
/// `max(absoluteTolerance, noiseTolerance · σ_t)`, σ_t being the scheduler's posterior standard deviation
/// (`noise_thr` in the reference); the window then slides past the converged steps before the earliest
/// unconverged one. That earliest step always becomes exact, so the run ends within one iteration per step.
///
/// All noise is drawn before the first iteration (see `TriangularSystem`), so with the same `NoiseSource` a run
/// that converges with tolerance 0 reproduces `SequentialSampler`. Progress is reported as (converged steps,
/// steps). Statistics count batched denoiser calls as parallel iterations and latents through the denoiser as
/// model evaluations.
///
/// Where this differs from the reference (parallel_sd.py), which samples one image with DDIM's coefficients:
/// - the order-k equation composes the scheduler's own transitions, so x̂₀ clipping, thresholding, DDIM's
///   `set_alpha_to_one` and other parallel schedulers are honoured (the reference's last DDIM step goes to ᾱ at
///   timestep 0, an identity when the timesteps end at 0); for DDIM without clipping and ending above timestep 0
///   with `set_alpha_to_one` false the two agree;
/// - with several images a step converges when every image has, and each image gets its own least squares;
/// - in a sliding window the last entry starts as a copy of the latest entry (the reference leaves it at zero
///   until computed when `window_size` ≤ steps) and acceleration uses each step's own latest differences (see
///   `TriangularAnderson`); with the window covering every step both agree;
/// - `maxIterations` counts denoiser calls (the reference's `max_steps` counts images, the initial one included).
public struct ParaTAASampler: Sampler {
    /// Steps evaluated together (the batch is `window × imagesPerGroup` latents); at most the step count is used.
    public let window: Int
    /// k: each entry is written from the entry k steps earlier (1 is the one-step system).
    public let order: Int
    /// m: iterations triangular Anderson acceleration remembers (1 turns it off; 2–5 are typical).
    public let memory: Int
    /// λ of the regularized least squares (the reference's `lmd`).
    public let regularization: Double
    /// The reference's `tol1`: residual RMS below which a step has converged.
    public let absoluteTolerance: Double
    /// The reference's `tol2`: residual RMS, relative to the step's posterior σ_t, below which it has converged.
    public let noiseTolerance: Double
    /// Batched denoiser calls after which sampling stops even if unconverged (nil: until every step converged).
    public let maxIterations: Int?
    /// A trajectory to start from (`steps + 1` latents, as `SamplingResult.trajectory` holds them): see
    /// `variationSteps`.
    public let initialTrajectory: [Tensor]?
    /// With `initialTrajectory`: how many of the last steps are recomputed (nil: all of them).
    ///
    /// As in the reference's parallel_sd_winit.py, the run starts from a copy of the whole trajectory, its
    /// starting latents included (they replace the `latents` given to `sample`); the first `steps −
    /// variationSteps` steps count as converged and are neither evaluated nor changed, and the rest are refined
    /// starting from the stored entries, with this run's noise and denoiser.
    public let variationSteps: Int?
    /// Whether the result carries the whole trajectory.
    public var keepsTrajectory: Bool
    /// Called after every iteration.
    public var onIteration: ((ParaTAAIterationReport) -> Void)?

    /// Defaults are the reference's: memory 2, λ = 1e-3, tol1 = tol2 = 1e-3 (parallel_sd.py's options).
    public init(window: Int, order: Int, memory: Int = 2, regularization: Double = 1e-3,
                absoluteTolerance: Double = 1e-3, noiseTolerance: Double = 1e-3, maxIterations: Int? = nil,
                initialTrajectory: [Tensor]? = nil, variationSteps: Int? = nil, keepsTrajectory: Bool = false) throws {
        self.window = window
        self.order = order
        self.memory = memory
        self.regularization = regularization
        self.absoluteTolerance = absoluteTolerance
        self.noiseTolerance = noiseTolerance
        self.maxIterations = maxIterations
        self.initialTrajectory = initialTrajectory
        self.variationSteps = variationSteps
        self.keepsTrajectory = keepsTrajectory
        try validateParameters()
    }

    public func sample(_ latents: Tensor, scheduler: inout any Scheduler, denoiser: Denoiser, noise: NoiseSource,
                       progress: (SamplingProgress) -> Void = { _ in }) throws -> SamplingResult {
        let start = DispatchTime.now().uptimeNanoseconds
        guard let parallelScheduler = scheduler as? any ParallelScheduler else {
            throw ParaTAAError.schedulerNotParallel(scheduler: String(describing: type(of: scheduler)))
        }
        guard parallelScheduler.lookback == 0 else {
            throw ParaTAAError.multistepScheduler(scheduler: String(describing: type(of: scheduler)))
        }
        guard latents.batchSize == denoiser.imagesPerGroup else {
            throw ParaTAAError.invalidParameter(
                parameter: "latents", reason: "hold \(latents.batchSize) images but the denoiser expects groups of "
                    + "\(denoiser.imagesPerGroup)")
        }
        let system = try TriangularSystem(scheduler: parallelScheduler, order: order, latents: latents, noise: noise)
        let stepCount = system.timesteps.count
        var trajectory = try startingTrajectory(latents, stepCount: stepCount)
        var iteration = ParaTAAIteration(
            system: system, denoiser: denoiser,
            anderson: TriangularAnderson(memory: memory, regularization: regularization),
            tolerances: try convergenceTolerances(parallelScheduler))
        var statistics = SamplingStatistics()
        while trajectory.convergedSteps < stepCount, statistics.parallelIterations < maxIterations ?? .max {
            let steps = trajectory.convergedSteps..<min(trajectory.convergedSteps + window, stepCount)
            let residualNorms = try iteration.run(steps: steps, on: &trajectory)
            statistics.parallelIterations += 1
            statistics.modelEvaluations += steps.count * latents.batchSize
            onIteration?(ParaTAAIterationReport(
                iteration: statistics.parallelIterations, window: steps, residualNorms: residualNorms,
                convergedSteps: trajectory.convergedSteps))
            progress(SamplingProgress(completed: trajectory.convergedSteps, total: stepCount,
                                      latents: trajectory.tensor(at: min(steps.upperBound, trajectory.entries.count - 1))))
        }
        trajectory.initializeEntries(through: stepCount)
        statistics.wallSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return SamplingResult(latents: trajectory.tensor(at: stepCount), statistics: statistics,
                              trajectory: keepsTrajectory ? (0...stepCount).map(trajectory.tensor(at:)) : nil)
    }

    /// Per step, the residual RMS at or below which it has converged: `max(tol1, tol2 · σ_t)`.
    private func convergenceTolerances(_ scheduler: any ParallelScheduler) throws -> [Double] {
        try scheduler.timesteps.map { timestep in
            max(absoluteTolerance, noiseTolerance * Double(try scheduler.posteriorStandardDeviation(at: timestep)))
        }
    }
}
