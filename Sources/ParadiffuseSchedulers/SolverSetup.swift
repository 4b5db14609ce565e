import ParadiffuseTensors

/// What a solver builds from its configuration — the training schedule, ᾱ as diffusers uses it, the limit on its
/// x₀ predictions — and the conversions of model outputs at a noise level.
struct SolverSetup: Sendable {
    static let betaSchedules: [BetaSchedule] = [.linear, .scaledLinear, .squaredcosCapV2]
    static let orders = 1...3

    let noiseSchedule: NoiseSchedule
    /// With zero terminal SNR the last ᾱ is 2⁻²⁴ rather than 0, as diffusers sets it for these solvers.
    let alphasCumprod: [Float]
    let predictionType: PredictionType
    private let sampleLimit: PredictedSampleLimit

    init(_ configuration: SolverOptions, scheduler: String) throws {
        guard Self.orders.contains(configuration.solverOrder) else {
            throw SchedulerError.invalidParameter(scheduler: scheduler, parameter: "solver_order",
                                                  reason: "must be 1, 2 or 3, got \(configuration.solverOrder)")
        }
        noiseSchedule = try NoiseSchedule(configuration.noiseSchedule, supported: Self.betaSchedules,
                                          scheduler: scheduler)
        alphasCumprod = noiseSchedule.alphasCumprodWithFiniteSigmas
        predictionType = configuration.predictionType
        sampleLimit = try PredictedSampleLimit(configuration.sampleLimit, scheduler: scheduler)
    }

    /// Every training timestep, descending: the schedule before `setTimesteps`, as in diffusers.
    var trainingTimesteps: [Int] { Array((0..<noiseSchedule.numTrainTimesteps).reversed()) }

    /// The run of `count` steps, spaced by `spacing` or at Karras σ (their timesteps rounded).
    func run(count: Int, spacing: TimestepSpacing, stepsOffset: Int, karras: Bool,
             scheduler: String) throws -> SolverSchedule {
        try SolverSchedule(count: count, alphasCumprod: alphasCumprod, spacing: spacing, stepsOffset: stepsOffset,
                           karras: karras ? .rounded : nil, scheduler: scheduler)
    }

    /// The model output as a solver combines it: x₀, thresholded if asked (`predictsData`), or ε.
    func converted(_ modelOutput: Tensor, sample: Tensor, level: NoiseLevel, predictsData: Bool) -> Tensor {
        guard predictsData else { return predictionType.noise(modelOutput: modelOutput, sample: sample, level: level) }
        return sampleLimit.apply(to: predictionType.originalSample(modelOutput: modelOutput, sample: sample,
                                                                   level: level))
    }

    /// ε with the x₀ it implies limited, as the noise-predicting `dpmsolver` thresholds: ε → x₀ → limit → ε.
    func limitingNoise(_ noise: Tensor, sample: Tensor, level: NoiseLevel) -> Tensor {
        let originalSample = sampleLimit.apply(to: PredictionType.epsilon.originalSample(
            modelOutput: noise, sample: sample, level: level))
        return PredictionType.noise(fromOriginalSample: originalSample, sample: sample, level: level)
    }
}
