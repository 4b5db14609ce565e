import ParadiffuseTensors

/// What every exponential-integrator solver keeps: its setup from the configuration (training schedule, ᾱ, the
/// limit on x₀), the run's timesteps and σ, and the model outputs of the steps it has taken.
public struct SolverState: Sendable {
    let setup: SolverSetup
    /// The run's timesteps; every training timestep, descending, before `setTimesteps`, as in diffusers.
    public internal(set) var timesteps: [Int]
    /// σ = √((1 − ᾱ)/ᾱ) at each timestep of the run, then the final σ.
    public internal(set) var sigmas: [Float] = []
    var history = MultistepHistory()

    init(_ options: SolverOptions, scheduler: String) throws {
        setup = try SolverSetup(options, scheduler: scheduler)
        timesteps = setup.trainingTimesteps
    }

    public var noiseSchedule: NoiseSchedule { setup.noiseSchedule }

    /// ᾱ_t as diffusers uses it: with zero terminal SNR its last value is 2⁻²⁴ rather than 0.
    public var alphasCumprod: [Float] { setup.alphasCumprod }

    /// A new run over `schedule`, ending at `finalSigma`, with no model outputs yet.
    mutating func start(_ schedule: SolverSchedule, finalSigma: Float) {
        timesteps = schedule.timesteps
        sigmas = schedule.sigmas + [finalSigma]
        history = MultistepHistory()
    }
}

/// The model outputs a solver combines, and where its run stands.
struct MultistepHistory: Sendable {
    /// The converted model outputs of the last steps (as many as the solver order), oldest first.
    private(set) var outputs: [Tensor] = []
    /// How many steps of the run came before, up to the solver order (diffusers' `lower_order_nums`).
    private(set) var earlierSteps = 0
    /// The schedule position of the next step; nil before the first.
    private(set) var nextIndex: Int?

    /// Adds the step's converted model output, keeping the last `order`.
    mutating func record(_ output: Tensor, keeping order: Int) {
        outputs = Array((outputs + [output]).suffix(order))
    }

    /// Marks the step at `index` done.
    mutating func finishStep(at index: Int, order: Int) {
        earlierSteps = min(earlierSteps + 1, order)
        nextIndex = index + 1
    }
}
