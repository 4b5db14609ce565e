import ParadiffuseTensors

/// What the schedulers stepping through the training timesteps of the DDPM chain x_t = √ᾱ_t·x₀ + √(1 − ᾱ_t)·ε
/// share (DDPM, DDIM, PNDM, LCM): the model input unscaled, initial noise of standard deviation 1, and `add_noise`
/// at each item's ᾱ_t.
public protocol DDPMChainScheduler: ConfiguredScheduler {
    var noiseSchedule: NoiseSchedule { get }
}

extension DDPMChainScheduler {
    public var initNoiseSigma: Float { 1 }

    public func scaleModelInput(_ sample: Tensor, timestep: Int) -> Tensor { sample }

    /// diffusers' `add_noise`: `√ᾱ_t·x₀ + √(1 − ᾱ_t)·ε` at each item's training timestep.
    public func addNoise(original: Tensor, noise: Tensor, timesteps: [Int]) throws -> Tensor {
        try noiseSchedule.addNoise(original: original, noise: noise, timesteps: timesteps, scheduler: Self.className)
    }
}

/// The `scheduler_config.json` settings DDPM, DDIM and LCM step with alike.
public protocol DDPMChainConfiguration: SchedulerConfiguration, SampleLimitConfiguration {
    var noiseSchedule: NoiseSchedule.Configuration { get set }
    var predictionType: PredictionType { get set }
}

/// The signal and noise scales of the DDPM chain at one ᾱ_t, in float32: √ᾱ_t and √(1 − ᾱ_t).
struct ChainScales {
    let signal: Float
    let noise: Float

    init(alphaCumprod: Float) {
        signal = alphaCumprod.squareRoot()
        noise = (1 - alphaCumprod).squareRoot()
    }
}

/// What DDPM, DDIM and LCM build from their configuration: the training schedule and the x̂₀ of a model output,
/// clipped or thresholded as the configuration asks.
struct DDPMChainSetup: Sendable {
    let noiseSchedule: NoiseSchedule
    let predictionType: PredictionType
    private let sampleLimit: PredictedSampleLimit

    init(_ configuration: some DDPMChainConfiguration, supported: [BetaSchedule], scheduler: String) throws {
        noiseSchedule = try NoiseSchedule(configuration.noiseSchedule, supported: supported, scheduler: scheduler)
        predictionType = configuration.predictionType
        sampleLimit = try PredictedSampleLimit(configuration.sampleLimit, scheduler: scheduler)
    }

    /// Every training timestep, descending: the schedule before `setTimesteps`, as in diffusers.
    var trainingTimesteps: [Int] { Array((0..<noiseSchedule.numTrainTimesteps).reversed()) }

    /// x̂₀ of each item at its scales, limited.
    func originalSample(_ modelOutput: Tensor, sample: Tensor, scales: [ChainScales]) -> Tensor {
        sampleLimit.apply(to: predictionType.predictedOriginalSample(
            modelOutput: modelOutput, sample: sample, signalScales: scales.map(\.signal),
            noiseScales: scales.map(\.noise)))
    }

    /// ε̂ of each item at its scales, from the model output as it is.
    func noise(_ modelOutput: Tensor, sample: Tensor, scales: [ChainScales]) -> Tensor {
        predictionType.predictedNoise(modelOutput: modelOutput, sample: sample, signalScales: scales.map(\.signal),
                                      noiseScales: scales.map(\.noise))
    }
}
