import Foundation
import ParadiffuseLoading
import ParadiffuseTensors

/// Euler's method on the probability-flow ODE in σ (Karras et al. 2022, Algorithm 2 without its second-order
/// correction), as diffusers' `EulerDiscreteScheduler` runs it: `x ← x + (x − x̂₀)/σ · (σ_next − σ)`. With "churn"
/// (`s_churn` > 0) each step first raises σ by a factor 1 + γ and adds the matching noise (Algorithm 2's
/// stochastic sampler).
///
/// Step keys are positions in the schedule; `modelTimestep(at:)` is diffusers' fractional `timesteps` entry.
/// Without churn the step is a deterministic function of (x, model output, σ, σ_next), so it is a
/// `ParallelScheduler`; with churn the noise enters before the model call and cannot be pre-drawn.
public struct EulerDiscreteScheduler: SigmaScheduler, ParallelScheduler {
    public static let className = "EulerDiscreteScheduler"
    public static let readsZeroSNR = true

    /// How σ between the spaced timesteps is found (`interpolation_type`).
    public enum Interpolation: String, Sendable, CaseIterable {
        /// Linear in t between training σ.
        case linear
        /// `count + 1` σ evenly spaced in log σ over the whole training range, whatever the timesteps.
        case logLinear = "log_linear"
    }

    /// What the model is conditioned on (`timestep_type`).
    public enum TimestepType: String, Sendable, CaseIterable {
        /// The (fractional) training timestep.
        case discrete
        /// 0.25·log σ, for v-prediction models trained in continuous time; ignored for other predictions.
        case continuous
    }

    /// `scheduler_config.json`, with diffusers' defaults.
    public struct Configuration: SigmaSchedulerConfiguration {
        public var noiseSchedule = NoiseSchedule.Configuration()
        public var predictionType = PredictionType.epsilon
        public var interpolation = Interpolation.linear
        public var sigmaSpacing = SigmaSpacing.timesteps
        /// Ends of a Karras or exponential schedule (`sigma_min`, `sigma_max`); nil: those of the spaced timesteps.
        public var sigmaMin: Double?
        public var sigmaMax: Double?
        public var timestepPlacement = TimestepPlacement(.linspace)
        public var timestepType = TimestepType.discrete
        public var finalSigmas = FinalSigmas.zero

        public init() {}

        public static var keys: [ConfigurationKey<Self>] {
            sigmaSchedulerKeys(of: EulerDiscreteScheduler.self)
                + [.choice("interpolation_type", \.interpolation), .sigmaSpacing(\.sigmaSpacing),
                   .optional("sigma_min", \.sigmaMin), .optional("sigma_max", \.sigmaMax),
                   .choice("timestep_type", \.timestepType), .choice("final_sigmas_type", \.finalSigmas)]
        }
    }

    /// Karras et al.'s stochastic "churn", which diffusers passes to `step`: where s_tmin ≤ σ ≤ s_tmax, σ is raised
    /// to σ̂ = σ·(1 + γ), γ = min(s_churn / steps, √2 − 1), by adding noise of standard deviation √(σ̂² − σ²)·s_noise.
    public struct Churn: Sendable, Equatable {
        public var sChurn: Double
        public var sTmin: Double
        public var sTmax: Double
        public var sNoise: Double

        public init(sChurn: Double = 0, sTmin: Double = 0, sTmax: Double = .infinity, sNoise: Double = 1) {
            self.sChurn = sChurn
            self.sTmin = sTmin
            self.sTmax = sTmax
            self.sNoise = sNoise
        }
    }

    public private(set) var churn = Churn()
    /// σ of each step, then the final σ.
    public private(set) var state: SigmaSchedulerState<Configuration>

    public var isODE: Bool { churn.sChurn == 0 }

    public init(configuration: Configuration = Configuration(), churn: Churn = Churn()) throws {
        guard churn.sChurn >= 0, churn.sChurn.isFinite else {
            throw SchedulerError.invalidParameter(scheduler: Self.className, parameter: "s_churn",
                                                  reason: "must be a finite number ≥ 0, got \(churn.sChurn)")
        }
        self.init(state: try Self.state(of: configuration))
        self.churn = churn
        try setTimesteps(state.noiseSchedule.numTrainTimesteps)
    }

    public init(state: SigmaSchedulerState<Configuration>) {
        self.state = state
    }

    /// The scheduler `config` describes, with `churn`; a value it cannot use is an error naming the file and key.
    public init(config: JSONConfig, churn: Churn = Churn()) throws {
        self = try config.validating {
            try EulerDiscreteScheduler(configuration: Configuration(config, scheduler: Self.className), churn: churn)
        }
    }

    public mutating func setTimesteps(_ count: Int) throws {
        let trainingSigmas = state.trainingSigmas
        let schedule = try SigmaSchedule(
            count: count, trainingSigmas: trainingSigmas, spacing: configuration.timestepSpacing,
            stepsOffset: configuration.stepsOffset, sigmaSpacing: configuration.sigmaSpacing,
            minimum: configuration.sigmaMin, maximum: configuration.sigmaMax,
            logLinear: configuration.interpolation == .logLinear,
            finalSigma: configuration.finalSigmas == .zero ? 0 : trainingSigmas[0], scheduler: Self.className)
        start(schedule)
    }

    public mutating func start(_ schedule: SigmaSchedule) {
        state.sigmas = schedule.sigmas
        if configuration.timestepType == .continuous, configuration.predictionType == .vPrediction {
            state.modelTimesteps = sigmas.dropLast().map { 0.25 * log($0) }
        } else {
            state.modelTimesteps = schedule.timesteps.map { Float($0) }
        }
    }

    public mutating func step(modelOutput: Tensor, timestep: Int, sample: Tensor,
                              noise: NoiseSource) throws -> Tensor {
        let index = try stepIndex(timestep, modelOutput: modelOutput, sample: sample)
        let gamma = churnGamma(at: index)
        guard gamma > 0 else {
            return transition(modelOutput, sample: sample, sigmas: [sigmas[index]], raisedSigmas: [sigmas[index]],
                              nextSigmas: [sigmas[index + 1]])
        }
        let sigma = sigmas[index], raised = sigma * Float(gamma + 1)
        let drawn = try draw(noise, like: sample)
        let noiseWeight = Float(churn.sNoise), spread = (raised * raised - sigma * sigma).squareRoot()
        let churned = sample.zipMap(drawn) { x, z in x + (z * noiseWeight) * spread }
        return transition(modelOutput, sample: churned, sigmas: [sigma], raisedSigmas: [raised],
                          nextSigmas: [sigmas[index + 1]])
    }

    // MARK: Parallel sampling

    public func drawsNoise(at timestep: Int) -> Bool { churnGamma(at: timestep) > 0 }

    /// Euler adds no noise after the model call: 0 without churn; with churn an error, as its noise comes first.
    public func noiseScale(at timestep: Int) throws -> Float {
        try checkNoChurn()
        return 0
    }

    /// The DDPM posterior standard deviation √β̃ of the step from σ to σ_next, in the units of this scheduler's
    /// samples x = x_DDPM/√ᾱ: with ᾱ = 1/(1 + σ²) it is √(σ_next²·(σ² − σ_next²)/σ²), the σ_up of the ancestral
    /// Euler sampler. ParaDiGMS measures each step's change against it.
    public func posteriorStandardDeviation(at timestep: Int) throws -> Float {
        let index = try SigmaParametrization.checkedKey(timestep, count: modelTimesteps.count,
                                                        scheduler: Self.className)
        return SigmaParametrization.ancestralSigmas(from: sigmas[index], to: sigmas[index + 1]).up
    }

    public func transitionWithoutNoise(modelOutput: Tensor, sample: Tensor, timesteps: [Int]) throws -> Tensor {
        try checkNoChurn()
        try SigmaParametrization.checkShape(of: modelOutput, "model_output", against: sample,
                                            scheduler: Self.className)
        let keys = try SigmaParametrization.checkedKeys(timesteps, batchSize: sample.batchSize,
                                                        count: modelTimesteps.count, scheduler: Self.className)
        let itemSigmas = keys.map { sigmas[$0] }
        return transition(modelOutput, sample: sample, sigmas: itemSigmas, raisedSigmas: itemSigmas,
                          nextSigmas: keys.map { sigmas[$0 + 1] })
    }

    // MARK: Step math

    /// The Euler step from σ̂ to σ_next for each item (one entry for the whole batch, or one per item).
    private func transition(_ modelOutput: Tensor, sample: Tensor, sigmas: [Float], raisedSigmas: [Float],
                            nextSigmas: [Float]) -> Tensor {
        let batch = sample.batchSize
        let sigmas = SigmaParametrization.perItem(sigmas, batchSize: batch)
        let raised = SigmaParametrization.perItem(raisedSigmas, batchSize: batch)
        let next = SigmaParametrization.perItem(nextSigmas, batchSize: batch)
        // diffusers takes x̂₀ at σ̂ for ε but at σ for v.
        let predictionSigmas = configuration.predictionType == .epsilon ? raised : sigmas
        let originalSample = SigmaParametrization.predictedOriginalSample(
            configuration.predictionType, modelOutput: modelOutput, sample: sample, sigmas: predictionSigmas)
        return SigmaParametrization.eulerStep(sample: sample, originalSample: originalSample, sigmas: raised,
                                              steps: zip(next, raised).map { $0 - $1 })
    }

    /// γ of `index` (0 without churn or outside [s_tmin, s_tmax]).
    private func churnGamma(at index: Int) -> Double {
        guard churn.sChurn > 0, sigmas.indices.contains(index) else { return 0 }
        let sigma = sigmas[index]
        guard Float(churn.sTmin) <= sigma, sigma <= Float(churn.sTmax) else { return 0 }
        return min(churn.sChurn / Double(sigmas.count - 1), 2.0.squareRoot() - 1)
    }

    private func checkNoChurn() throws {
        guard churn.sChurn == 0 else {
            throw SchedulerError.invalidParameter(scheduler: Self.className, parameter: "s_churn", reason:
                "is \(churn.sChurn): churn adds noise before the model call, which parallel samplers cannot "
                + "pre-draw; use 0")
        }
    }
}
