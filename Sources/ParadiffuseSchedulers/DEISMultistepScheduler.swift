import Foundation
import ParadiffuseLoading
import ParadiffuseTensors

/// DEIS (Zhang & Chen 2023): an exponential-integrator multistep solver of order 1 to 3 that integrates the
/// polynomial through the last noise predictions in ρ = σ/α exactly in log ρ (`logrho`). Steps equal diffusers'
/// `DEISMultistepScheduler` for every prediction type, thresholding, `lower_order_final` and Karras σ; flow σ,
/// exponential and beta σ and dynamic shifting are rejected. As in diffusers, `algorithm_type` `dpmsolver` and
/// `dpmsolver++` mean `deis`, and `solver_type` `midpoint`, `heun`, `bh1` and `bh2` mean `logrho`.
///
/// No parallel transition: like multistep DPM-Solver, a step combines the model outputs of the steps before it,
/// which a window of independent per-step transitions does not have (see `ParallelScheduler`).
public struct DEISMultistepScheduler: SolverScheduler {
    public static let className = "DEISMultistepScheduler"

    /// `scheduler_config.json`, with diffusers' defaults.
    public struct Configuration: SolverConfiguration, TimestepSpacingConfiguration {
        public var solverOptions = SolverOptions()
        public var timestepPlacement = TimestepPlacement(.linspace)

        public init() {}

        /// Other keys are ignored (among them `rescale_betas_zero_snr`, which DEIS does not have).
        public static var keys: [ConfigurationKey<Self>] {
            [.group(\.solverOptions, keys: SolverOptions.keys(readsZeroSNR: false)),
             requireAlias("algorithm_type", of: "deis", among: ["dpmsolver", "dpmsolver++"]),
             requireAlias("solver_type", of: "logrho", among: ["midpoint", "heun", "bh1", "bh2"]),
             .group(\.timestepPlacement)]
        }

        /// `key` may be absent, `value`, or one of the `aliases` diffusers turns into `value`; anything else is
        /// not implemented.
        private static func requireAlias(_ key: String, of value: String, among aliases: [String]) -> ConfigurationKey<Self> {
            .check { config, scheduler in
                guard let given: String = try config.optionalValue(key), given != value else { return }
                guard aliases.contains(given) else {
                    throw LoadingError.invalidConfigValue(config.url, key: key, reason:
                        "'\(given)' is not implemented for \(scheduler); only '\(value)' is")
                }
            }
        }
    }

    public let configuration: Configuration
    /// Its final σ is the smallest training σ, or for Karras runs their own last σ again; its history holds noise
    /// predictions.
    public private(set) var state: SolverState

    public init(configuration: Configuration = Configuration()) throws {
        state = try SolverState(configuration.solverOptions, scheduler: Self.className)
        self.configuration = configuration
    }

    public mutating func setTimesteps(_ count: Int) throws {
        let schedule = try state.setup.run(count: count, spacing: configuration.timestepSpacing,
                                     stepsOffset: configuration.stepsOffset, karras: configuration.useKarrasSigmas,
                                     scheduler: Self.className)
        state.start(schedule, finalSigma: configuration.useKarrasSigmas ? schedule.sigmas[schedule.sigmas.count - 1]
                                                                        : schedule.trainingSigmas[0])
    }

    public mutating func step(modelOutput: Tensor, timestep: Int, sample: Tensor,
                              noise: NoiseSource) throws -> Tensor {
        let index = try SolverSchedule.stepIndex(state.history.nextIndex, timestep: timestep, run: timesteps, sigmas: sigmas,
                                                 modelOutput: modelOutput, sample: sample, scheduler: Self.className)
        let count = timesteps.count, order = configuration.solverOrder
        let isShortRun = configuration.lowerOrderFinal && count < 15
        let lowerOrderFinal = index == count - 1 && isShortRun
        let lowerOrderSecond = index == count - 2 && isShortRun

        // DEIS combines noise predictions, taken through x₀ (thresholded if asked) as diffusers converts them.
        let level = NoiseLevel(sigmas[index])
        let converted = PredictionType.noise(
            fromOriginalSample: state.setup.converted(modelOutput, sample: sample, level: level, predictsData: true),
            sample: sample, level: level)
        state.history.record(converted, keeping: order)
        let lowerOrderCount = state.history.earlierSteps
        let result: Tensor
        if order == 1 || lowerOrderCount < 1 || lowerOrderFinal {
            result = firstOrderUpdate(converted, sample: sample, index: index)
        } else if order == 2 || lowerOrderCount < 2 || lowerOrderSecond {
            result = secondOrderUpdate(sample: sample, index: index)
        } else {
            result = thirdOrderUpdate(sample: sample, index: index)
        }
        state.history.finishStep(at: index, order: order)
        return result
    }

    // MARK: Step math

    private func firstOrderUpdate(_ output: Tensor, sample: Tensor, index: Int) -> Tensor {
        let target = NoiseLevel(sigmas[index + 1]), source = NoiseLevel(sigmas[index])
        let h = target.lambda - source.lambda
        return Tensor.linearCombination([(target.alpha / source.alpha, sample), (-(target.sigma * (exp(h) - 1)), output)])
    }

    /// ∫ of the Lagrange basis polynomial through log ρ of `nodes` (its own node first) from ρ_s to ρ_t, as
    /// diffusers' `ind_fn` differences give it (with NumPy's float32 logarithm: the difference cancels most
    /// digits, so an ulp of the logarithm shows).
    private static func secondOrderWeight(from source: Float, to target: Float, nodes b: Float, _ c: Float) -> Float {
        let log = NumPyLogarithm.log
        func integral(_ t: Float) -> Float { t * (-log(c) + log(t) - 1) / (log(b) - log(c)) }
        return integral(target) - integral(source)
    }

    private static func thirdOrderWeight(from source: Float, to target: Float, nodes b: Float, _ c: Float,
                                         _ d: Float) -> Float {
        let log = NumPyLogarithm.log
        func integral(_ t: Float) -> Float {
            let numerator = t * (log(c) * (log(d) - log(t) + 1) - log(d) * log(t) + log(d) + log(t) * log(t)
                - 2 * log(t) + 2)
            return numerator / ((log(b) - log(c)) * (log(b) - log(d)))
        }
        return integral(target) - integral(source)
    }

    private func secondOrderUpdate(sample: Tensor, index: Int) -> Tensor {
        let target = NoiseLevel(sigmas[index + 1])
        let s0 = NoiseLevel(sigmas[index]), s1 = NoiseLevel(sigmas[index - 1])
        let modelOutputs = state.history.outputs
        let m0 = modelOutputs[modelOutputs.count - 1], m1 = modelOutputs[modelOutputs.count - 2]
        let rhoT = target.sigma / target.alpha, rho0 = s0.sigma / s0.alpha, rho1 = s1.sigma / s1.alpha
        let weight0 = Self.secondOrderWeight(from: rho0, to: rhoT, nodes: rho0, rho1)
        let weight1 = Self.secondOrderWeight(from: rho0, to: rhoT, nodes: rho1, rho0)
        return deisUpdate(sample: sample, source: s0, target: target, [(weight0, m0), (weight1, m1)])
    }

    private func thirdOrderUpdate(sample: Tensor, index: Int) -> Tensor {
        let target = NoiseLevel(sigmas[index + 1])
        let s0 = NoiseLevel(sigmas[index]), s1 = NoiseLevel(sigmas[index - 1]), s2 = NoiseLevel(sigmas[index - 2])
        let modelOutputs = state.history.outputs, count = modelOutputs.count
        let m0 = modelOutputs[count - 1], m1 = modelOutputs[count - 2], m2 = modelOutputs[count - 3]
        let rhoT = target.sigma / target.alpha
        let rho0 = s0.sigma / s0.alpha, rho1 = s1.sigma / s1.alpha, rho2 = s2.sigma / s2.alpha
        let weight0 = Self.thirdOrderWeight(from: rho0, to: rhoT, nodes: rho0, rho1, rho2)
        let weight1 = Self.thirdOrderWeight(from: rho0, to: rhoT, nodes: rho1, rho2, rho0)
        let weight2 = Self.thirdOrderWeight(from: rho0, to: rhoT, nodes: rho2, rho0, rho1)
        return deisUpdate(sample: sample, source: s0, target: target, [(weight0, m0), (weight1, m1), (weight2, m2)])
    }

    /// `α_t · (x / α_s + Σ w_k·m_k)`, in diffusers' order of float32 operations.
    private func deisUpdate(sample: Tensor, source: NoiseLevel, target: NoiseLevel,
                            _ terms: [(Float, Tensor)]) -> Tensor {
        sample.map { $0 / source.alpha }.adding(terms).map { target.alpha * $0 }
    }
}
