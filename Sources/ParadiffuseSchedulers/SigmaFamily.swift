import ParadiffuseTensors

/// What the k-diffusion-style schedulers (Euler, Euler a, Heun, LMS, KDPM2, KDPM2 a) share: step keys that are
/// positions in a schedule of σ, with the timestep the model is conditioned on at each, so that the initial noise,
/// the model input and `add_noise` follow from the σ alone. Each scheduler adds its own layout of the schedule and
/// its step.
public protocol SigmaScheduler: ConfiguredScheduler, SigmaSchedulerChoices
where Configuration: SigmaSchedulerConfiguration {
    var state: SigmaSchedulerState<Configuration> { get }

    /// The scheduler with `state` as `Self.state(of:)` makes it, before any run is laid out.
    init(state: SigmaSchedulerState<Configuration>)

    /// Lays out the run of `schedule` per step key (σ, model timesteps and the scheduler's own lists) and forgets
    /// any step in progress: the end of `setTimesteps`.
    mutating func start(_ schedule: SigmaSchedule)
}

/// What a σ scheduler's configuration is read with: the values it accepts and diffusers' defaults.
public protocol SigmaSchedulerChoices {
    /// The `prediction_type` values the scheduler accepts (every one unless it says otherwise).
    static var supportedPredictionTypes: [PredictionType] { get }

    /// diffusers' default training schedule for the scheduler (the `NoiseSchedule.Configuration` defaults unless
    /// it says otherwise).
    static var defaultNoiseSchedule: NoiseSchedule.Configuration { get }

    /// Whether the scheduler reads `rescale_betas_zero_snr`, and so ends ᾱ at 2⁻²⁴ rather than 0 under zero
    /// terminal SNR, keeping σ finite (Euler and Euler a; false unless it says otherwise).
    static var readsZeroSNR: Bool { get }
}

extension SigmaSchedulerChoices {
    public static var supportedBetaSchedules: [BetaSchedule] { [.linear, .scaledLinear, .squaredcosCapV2] }

    public static var supportedPredictionTypes: [PredictionType] { PredictionType.allCases }

    public static var defaultNoiseSchedule: NoiseSchedule.Configuration { NoiseSchedule.Configuration() }

    public static var readsZeroSNR: Bool { false }
}

extension SigmaScheduler {
    /// The scheduler `configuration` describes, set to every training timestep as diffusers' constructor sets it.
    public init(configuration: Configuration = Configuration()) throws {
        self.init(state: try Self.state(of: configuration))
        try setTimesteps(state.noiseSchedule.numTrainTimesteps)
    }

    /// The run of `count` steps over the training σ, its timesteps and σ spaced as the configuration asks.
    public mutating func setTimesteps(_ count: Int) throws {
        start(try sigmaSchedule(count: count))
    }

    public var configuration: Configuration { state.configuration }

    public var noiseSchedule: NoiseSchedule { state.noiseSchedule }

    public var alphasCumprod: [Float] { state.alphasCumprod }

    public var sigmas: [Float] { state.sigmas }

    public var modelTimesteps: [Float] { state.modelTimesteps }

    public var timesteps: [Int] { Array(modelTimesteps.indices) }

    public var initNoiseSigma: Float { SigmaSchedule.initNoiseSigma(sigmas, spacing: configuration.timestepSpacing) }

    public func modelTimestep(at timestep: Int) -> Float { modelTimesteps[timestep] }

    public func scaleModelInput(_ sample: Tensor, timestep: Int) -> Tensor {
        SigmaParametrization.scaledModelInput(sample, sigma: sigmas[timestep])
    }

    public func addNoise(original: Tensor, noise: Tensor, timesteps: [Int]) throws -> Tensor {
        let keys = try SigmaParametrization.checkedKeys(timesteps, batchSize: original.batchSize,
                                                        count: modelTimesteps.count, scheduler: Self.className)
        return try SigmaParametrization.addNoise(original: original, noise: noise, sigmas: keys.map { sigmas[$0] },
                                                 scheduler: Self.className)
    }

    /// The state before `setTimesteps` for `configuration`, once its prediction type is one this scheduler
    /// supports.
    static func state(of configuration: Configuration) throws -> SigmaSchedulerState<Configuration> {
        guard supportedPredictionTypes.contains(configuration.predictionType) else {
            throw SchedulerError.unsupportedChoice(
                scheduler: className, parameter: "prediction_type", value: configuration.predictionType.rawValue,
                supported: supportedPredictionTypes.map(\.rawValue))
        }
        let noiseSchedule = try NoiseSchedule(configuration.noiseSchedule, supported: supportedBetaSchedules,
                                              scheduler: className)
        return SigmaSchedulerState(configuration, noiseSchedule: noiseSchedule, finiteSigmas: readsZeroSNR)
    }

    /// The σ schedule of `count` steps over the training σ, its timesteps and σ spaced as the configuration asks.
    func sigmaSchedule(count: Int) throws -> SigmaSchedule {
        try SigmaSchedule(count: count, trainingSigmas: state.trainingSigmas, spacing: configuration.timestepSpacing,
                          stepsOffset: configuration.stepsOffset, sigmaSpacing: configuration.sigmaSpacing,
                          scheduler: Self.className)
    }

    /// The schedule position of step key `timestep`, once the model output is known to have the sample's shape.
    func stepIndex(_ timestep: Int, modelOutput: Tensor, sample: Tensor) throws -> Int {
        let index = try SigmaParametrization.checkedKey(timestep, count: modelTimesteps.count,
                                                        scheduler: Self.className)
        try SigmaParametrization.checkShape(of: modelOutput, "model_output", against: sample,
                                            scheduler: Self.className)
        return index
    }

    /// Noise of the sample's shape from `noise`, or an error when the source gives another shape.
    func draw(_ noise: NoiseSource, like sample: Tensor) throws -> Tensor {
        let drawn = noise(sample.shape)
        try SigmaParametrization.checkShape(of: drawn, "noise", against: sample, scheduler: Self.className)
        return drawn
    }

    /// The second evaluation of a two-evaluation step (Heun, KDPM2) cannot be the schedule's first key.
    func checkSecondEvaluation(at index: Int) throws {
        guard index >= 1 else {
            throw SchedulerError.invalidParameter(scheduler: Self.className, parameter: "timestep", reason:
                "0 cannot be the second evaluation of a step; call setTimesteps again")
        }
    }
}

/// The `scheduler_config.json` keys every σ scheduler (Euler, Euler a, Heun, LMS, KDPM2, KDPM2 a) reads.
public protocol SigmaSchedulerConfiguration: SchedulerConfiguration, TimestepSpacingConfiguration {
    var noiseSchedule: NoiseSchedule.Configuration { get set }
    var predictionType: PredictionType { get set }
    /// How the σ of a run are spaced (`use_karras_sigmas`, `use_exponential_sigmas`).
    var sigmaSpacing: SigmaSpacing { get }
}

extension SigmaSchedulerConfiguration {
    /// The shared keys as `Owner.from_config` reads them: a beta schedule or prediction type `Owner` lacks is an
    /// error naming the key; `rescale_betas_zero_snr` is read only where `Owner` has it.
    static func sigmaSchedulerKeys<Owner: SigmaSchedulerChoices>(of _: Owner.Type) -> [ConfigurationKey<Self>] {
        [.noiseSchedule(\.noiseSchedule, supported: Owner.supportedBetaSchedules, readsZeroSNR: Owner.readsZeroSNR),
         .choice("prediction_type", \.predictionType, among: Owner.supportedPredictionTypes),
         .group(\.timestepPlacement)]
    }
}

/// The k-diffusion parametrization the σ-based schedulers share: a sample at noise level σ is `x = x₀ + σ·ε`, and
/// the model sees `x / √(σ² + 1)`, which has the variance of a DDPM sample. Operations in diffusers' float32 order.
enum SigmaParametrization {
    /// The model input at noise level σ (diffusers' `scale_model_input`).
    static func scaledModelInput(_ sample: Tensor, sigma: Float) -> Tensor {
        let scale = (sigma * sigma + 1).squareRoot()
        return sample.map { $0 / scale }
    }

    /// x̂₀ from the model output for each batch item at its own σ (or all at one σ): `x − σ·ε̂` for ε,
    /// `v·(−σ/√(σ²+1)) + x/(σ²+1)` for v, the output itself for x₀.
    static func predictedOriginalSample(_ prediction: PredictionType, modelOutput: Tensor, sample: Tensor,
                                        sigmas: [Float]) -> Tensor {
        let sigmas = perItem(sigmas, batchSize: sample.batchSize)
        switch prediction {
        case .epsilon:
            return sample.zipMapItems(modelOutput) { item, x, epsilon in x - sigmas[item] * epsilon }
        case .vPrediction:
            let outputScales = sigmas.map { -$0 / ($0 * $0 + 1).squareRoot() }
            let sampleDivisors = sigmas.map { $0 * $0 + 1 }
            return modelOutput.zipMapItems(sample) { item, v, x in v * outputScales[item] + x / sampleDivisors[item] }
        case .sample:
            return modelOutput
        }
    }

    /// `x + (x − x̂₀)/σ · Δσ` for each item (or all at one σ): an Euler step of the probability-flow ODE
    /// dx/dσ = (x − x̂₀)/σ.
    static func eulerStep(sample: Tensor, originalSample: Tensor, sigmas: [Float], steps: [Float]) -> Tensor {
        let sigmas = perItem(sigmas, batchSize: sample.batchSize), steps = perItem(steps, batchSize: sample.batchSize)
        return sample.zipMapItems(originalSample) { item, x, x0 in
            let derivative = (x - x0) / sigmas[item]
            return x + derivative * steps[item]
        }
    }

    /// The noise levels of an ancestral step from σ to σ_next: fresh noise σ_up, with σ_up² = σ_next²·(σ² − σ_next²)/σ²
    /// the DDPM posterior variance, and σ_down with σ_down² + σ_up² = σ_next², the level the step's drift reaches.
    static func ancestralSigmas(from sigma: Float, to next: Float) -> (up: Float, down: Float) {
        let up = (next * next * (sigma * sigma - next * next) / (sigma * sigma)).squareRoot()
        return (up, (next * next - up * up).squareRoot())
    }

    /// `values` with one entry per batch item: a single value is repeated.
    static func perItem(_ values: [Float], batchSize: Int) -> [Float] {
        values.count == 1 ? Array(repeating: values[0], count: batchSize) : values
    }

    /// diffusers' sigma schedulers' `add_noise`: `x₀ + ε·σ` at each item's σ.
    static func addNoise(original: Tensor, noise: Tensor, sigmas: [Float], scheduler: String) throws -> Tensor {
        guard noise.shape == original.shape, noise.layout == original.layout else {
            throw SchedulerError.shapeMismatch(scheduler: scheduler, parameter: "noise", shape: noise.shape,
                                               expected: "the shape of the original samples, \(original.shape)")
        }
        return original.zipMapItems(noise) { item, x0, epsilon in x0 + epsilon * sigmas[item] }
    }

    /// The position `key` in a schedule of `count` entries, or an error naming `scheduler`.
    static func checkedKey(_ key: Int, count: Int, scheduler: String) throws -> Int {
        guard count > 0 else { throw SchedulerError.timestepsNotSet(scheduler: scheduler) }
        guard (0..<count).contains(key) else {
            throw SchedulerError.timestepNotInSchedule(scheduler: scheduler, timestep: key)
        }
        return key
    }

    /// One step key per batch item (a single key for the whole batch is repeated), each checked.
    static func checkedKeys(_ keys: [Int], batchSize: Int, count: Int, scheduler: String) throws -> [Int] {
        try timestepsPerItem(keys, batchSize: batchSize, scheduler: scheduler).map {
            try checkedKey($0, count: count, scheduler: scheduler)
        }
    }

    /// A model output or noise tensor shaped like the sample, or an error naming `parameter`.
    static func checkShape(of tensor: Tensor, _ parameter: String, against sample: Tensor, scheduler: String) throws {
        guard tensor.shape == sample.shape, tensor.layout == sample.layout else {
            throw SchedulerError.shapeMismatch(scheduler: scheduler, parameter: parameter, shape: tensor.shape,
                                               expected: "the sample's \(sample.shape)")
        }
    }
}
