import Foundation
import ParadiffuseLoading
import ParadiffuseTensors

/// Latent consistency models (Luo et al. 2023): each step maps the sample to the consistency function's clean
/// sample `c_skip(t)·x + c_out(t)·x̂₀` and, except at the last step, noises it afresh to the next timestep, so
/// 1 to 8 steps of a distilled model suffice. Steps equal diffusers' `LCMScheduler`: timesteps picked evenly out
/// of the `original_inference_steps` of the distillation, the boundary-condition scalings at
/// `timestep · timestep_scaling`, clipping or thresholding of x̂₀, and the noise drawn between steps.
///
/// A noise-free transition exists for every step on its own (the steps are Markovian and the noise could be drawn
/// up front), but LCM is not a `ParallelScheduler`: with its 1 to 8 steps there is nothing for a window to gain.
public struct LCMScheduler: DDPMChainScheduler {
    public static let className = "LCMScheduler"
    public static let supportedBetaSchedules: [BetaSchedule] = [.linear, .scaledLinear, .squaredcosCapV2]
    /// σ_data of the boundary-condition scalings.
    static let sigmaData: Float = 0.5

    /// `scheduler_config.json`, with diffusers' defaults (Stable Diffusion's noise schedule).
    public struct Configuration: DDPMChainConfiguration {
        public var noiseSchedule: NoiseSchedule.Configuration = {
            var schedule = NoiseSchedule.Configuration.stableDiffusionBetas
            schedule.betaSchedule = .scaledLinear
            return schedule
        }()
        /// The length of the timestep schedule the model was distilled on; runs pick their timesteps from it.
        public var originalInferenceSteps = 50
        public var sampleLimit = PredictedSampleLimit.Configuration(clipSample: false)
        /// Whether ᾱ before the first training timestep is 1 (otherwise ᾱ_0); read as diffusers reads it, though
        /// no step reaches that timestep.
        public var setAlphaToOne = true
        public var predictionType = PredictionType.epsilon
        /// The factor of the timestep in the boundary-condition scalings.
        public var timestepScaling = 10.0

        public init() {}

        /// Other keys are ignored (among them `timestep_spacing` and `steps_offset`, which diffusers' LCM stores
        /// but never uses).
        public static var keys: [ConfigurationKey<Self>] {
            [.noiseSchedule(\.noiseSchedule, supported: LCMScheduler.supportedBetaSchedules),
             .value("original_inference_steps", \.originalInferenceSteps), .group(\.sampleLimit),
             .value("set_alpha_to_one", \.setAlphaToOne), .choice("prediction_type", \.predictionType),
             .value("timestep_scaling", \.timestepScaling)]
        }
    }

    public let configuration: Configuration
    private let chain: DDPMChainSetup
    public private(set) var timesteps: [Int]
    private var stepIndex: Int?

    public var noiseSchedule: NoiseSchedule { chain.noiseSchedule }

    public init(configuration: Configuration = Configuration()) throws {
        let name = Self.className
        let original = configuration.originalInferenceSteps
        guard original >= 1, original <= configuration.noiseSchedule.numTrainTimesteps else {
            throw SchedulerError.invalidParameter(scheduler: name, parameter: "original_inference_steps", reason:
                "must lie in 1...\(configuration.noiseSchedule.numTrainTimesteps) ('num_train_timesteps'), got "
                + "\(original)")
        }
        self.configuration = configuration
        chain = try DDPMChainSetup(configuration, supported: Self.supportedBetaSchedules, scheduler: name)
        timesteps = chain.trainingTimesteps
    }

    /// `count` timesteps taken evenly (by index, rounded down) from the distillation schedule
    /// `[T/N·N − 1, …, 2·T/N − 1, T/N − 1]` of N = `original_inference_steps`.
    public mutating func setTimesteps(_ count: Int) throws {
        let original = configuration.originalInferenceSteps
        guard count >= 1 else {
            throw SchedulerError.invalidParameter(scheduler: Self.className, parameter: "num_inference_steps",
                                                  reason: "must be at least 1, got \(count)")
        }
        guard count <= original else {
            throw SchedulerError.invalidParameter(scheduler: Self.className, parameter: "num_inference_steps", reason:
                "\(count) cannot be larger than 'original_inference_steps' \(original): the run's timesteps are a "
                + "subset of the \(original) timesteps of the distillation")
        }
        let stride = noiseSchedule.numTrainTimesteps / original
        let spacing = Double(original) / Double(count)
        timesteps = (0..<count).map { index in
            let position = Int((Double(index) * spacing).rounded(.down))
            return (original - position) * stride - 1
        }
        stepIndex = nil
    }

    /// c_skip = σ_d²/(τ² + σ_d²) and c_out = τ/√(τ² + σ_d²) at τ = t · `timestep_scaling`, in float32 as
    /// diffusers computes them for the pipelines' tensor timesteps.
    func boundaryScalings(at timestep: Int) -> (skip: Float, out: Float) {
        let scaled = Float(timestep) * Float(configuration.timestepScaling)
        let denominator = scaled * scaled + Self.sigmaData * Self.sigmaData
        return (Self.sigmaData * Self.sigmaData / denominator, scaled / denominator.squareRoot())
    }

    public mutating func step(modelOutput: Tensor, timestep: Int, sample: Tensor,
                              noise: NoiseSource) throws -> Tensor {
        guard modelOutput.shape == sample.shape, modelOutput.layout == sample.layout else {
            throw SchedulerError.shapeMismatch(scheduler: Self.className, parameter: "model_output",
                                               shape: modelOutput.shape, expected: "the sample's \(sample.shape)")
        }
        let index = try stepIndex ?? runIndex(of: timestep)
        guard index < timesteps.count else {
            throw SchedulerError.invalidParameter(scheduler: Self.className, parameter: "timestep", reason:
                "\(timestep) comes after the last of the \(timesteps.count) steps; call setTimesteps again")
        }
        let alphaCumprod = try noiseSchedule.alphaCumprod(at: timestep, scheduler: Self.className)
        let originalSample = chain.originalSample(
            modelOutput, sample: sample,
            scales: Array(repeating: ChainScales(alphaCumprod: alphaCumprod), count: sample.batchSize))
        let scalings = boundaryScalings(at: timestep)
        let denoised = Tensor.linearCombination([(scalings.out, originalSample), (scalings.skip, sample)])
        stepIndex = index + 1
        guard index + 1 < timesteps.count else { return denoised }
        let nextAlphaCumprod = try noiseSchedule.alphaCumprod(at: timesteps[index + 1], scheduler: Self.className)
        let drawn = try SolverSchedule.draw(noise, like: sample, scheduler: Self.className)
        return Tensor.linearCombination([(nextAlphaCumprod.squareRoot(), denoised),
                                         ((1 - nextAlphaCumprod).squareRoot(), drawn)])
    }

    /// diffusers' `index_for_timestep`: the second of two equal timesteps; a timestep outside the run is an error.
    private func runIndex(of timestep: Int) throws -> Int {
        let matches = timesteps.indices.filter { timesteps[$0] == timestep }
        guard let first = matches.first else {
            throw SchedulerError.timestepNotInSchedule(scheduler: Self.className, timestep: timestep)
        }
        return matches.count > 1 ? matches[1] : first
    }
}
