import ParadiffuseTensors

/// A scheduler whose step is `x_prev = F(x_t, modelOutput, t) + σ_t · z` with `z` standard normal, exposed so that
/// parallel samplers (ParaDiGMS, ParaTAA) can evaluate a window of the trajectory at once.
///
/// The contract: for every timestep of the schedule, `step` equals `transitionWithoutNoise` plus
/// `noiseScale(at:)` times the noise `step` draws (which it draws exactly when `drawsNoise(at:)`), bit for bit.
/// Samplers that precompute noise draw it, in timestep order, only where `drawsNoise(at:)`, so that a seed gives
/// the sequential sampler's result.
public protocol ParallelScheduler: Scheduler {
    /// Whether sampling is an ODE: `step` never adds noise.
    var isODE: Bool { get }

    /// Whether `step` at `timestep` draws a noise tensor shaped like the sample.
    func drawsNoise(at timestep: Int) -> Bool

    /// The standard deviation σ_t of the noise `step` adds when leaving `timestep` (0 where it adds none).
    /// A DDPM scheduler whose model predicts the variance (`learned`, `learned_range`) has none: it throws.
    func noiseScale(at timestep: Int) throws -> Float

    /// √β̃_t, the standard deviation of the DDPM posterior q(x_prev | x_t, x₀) from `timestep` to the previous
    /// timestep: the noise a fully stochastic step would add, defined also where this scheduler adds none (DDIM
    /// with η = 0).
    /// ParaDiGMS measures each step's error against it, as diffusers' pipeline does with `_get_variance`.
    func posteriorStandardDeviation(at timestep: Int) throws -> Float

    /// `F(x_t, modelOutput, t)` for each batch item at its own timestep: the step without its noise. A multistep
    /// scheduler (`lookback > 0`) can do this only where its step uses no earlier model output, and throws
    /// elsewhere: use `transitionsWithoutNoise(steps:samples:modelOutputs:earlier:)`.
    func transitionWithoutNoise(modelOutput: Tensor, sample: Tensor, timesteps: [Int]) throws -> Tensor

    /// How many steps before its own a step looks back on: 0 for one-step schedulers (DDPM, DDIM, Euler),
    /// the solver order − 1 for multistep solvers (DPM-Solver), whose step also combines earlier model outputs.
    var lookback: Int { get }

    /// The noise-free steps of the consecutive steps `steps` (positions in `timesteps`) from their samples and
    /// model outputs, each step combining, as `step` does, the model outputs of up to `lookback` steps before it:
    /// those inside `steps`, and `earlier`, the evaluated steps just before `steps` (oldest first; all `lookback`
    /// of them unless the schedule starts sooner).
    func transitionsWithoutNoise(steps: Range<Int>, samples: [Tensor], modelOutputs: [Tensor],
                                 earlier: [EvaluatedStep]) throws -> [Tensor]
}

/// A step of a trajectory as a multistep transition looks back on it: the sample at the step and the model output
/// there.
public struct EvaluatedStep: Sendable {
    public var sample: Tensor
    public var modelOutput: Tensor

    public init(sample: Tensor, modelOutput: Tensor) {
        self.sample = sample
        self.modelOutput = modelOutput
    }
}

extension ParallelScheduler {
    public var lookback: Int { 0 }

    /// One-step schedulers: the batched `transitionWithoutNoise` at the steps' timesteps.
    public func transitionsWithoutNoise(steps: Range<Int>, samples: [Tensor], modelOutputs: [Tensor],
                                        earlier: [EvaluatedStep]) throws -> [Tensor] {
        precondition(samples.count == steps.count && modelOutputs.count == steps.count, "window sizes differ")
        guard let images = samples.first?.batchSize else { return [] }
        let stepTimesteps = steps.flatMap { Array(repeating: timesteps[$0], count: images) }
        let transitions = try transitionWithoutNoise(modelOutput: Tensor.concatenatingBatches(modelOutputs),
                                                     sample: Tensor.concatenatingBatches(samples),
                                                     timesteps: stepTimesteps)
        return samples.indices.map { transitions.batchItems($0 * images..<($0 + 1) * images) }
    }
}
