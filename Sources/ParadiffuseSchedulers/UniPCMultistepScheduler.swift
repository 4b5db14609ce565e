import Foundation
import ParadiffuseLoading
import ParadiffuseTensors

/// UniPC (Zhao et al. 2023): a multistep predictor (UniP) of order 1 to 3 in log-SNR time λ = log(α/σ), each step
/// first corrected (UniC) with the model output at the new sample, so a step of order p reaches order p + 1 for
/// the same model evaluations. Steps equal diffusers' `UniPCMultistepScheduler` with the B(h) variants `bh1`
/// (B(h) = h, for unconditional sampling) and `bh2` (B(h) = eʰ − 1, for guided sampling), data or noise
/// prediction, `disable_corrector`, `lower_order_final`, Karras σ and both final σ; flow σ, exponential and beta
/// σ, dynamic shifting and a custom `solver_p` are rejected.
///
/// No parallel transition: the corrector rewrites the sample a step was given from the model outputs of the
/// steps before, so a step is not a function of its own input and output alone (see `ParallelScheduler`).
public struct UniPCMultistepScheduler: SolverScheduler {
    public static let className = "UniPCMultistepScheduler"

    /// The B(h) of the UniPC update (`solver_type`).
    public enum SolverType: String, Sendable, CaseIterable {
        /// B(h) = h.
        case bh1
        /// B(h) = eʰ − 1.
        case bh2
    }

    /// `scheduler_config.json`, with diffusers' defaults.
    public struct Configuration: SolverConfiguration, TimestepSpacingConfiguration {
        public var solverOptions = SolverOptions()
        /// Combine predictions of x₀ (true) or of ε (false).
        public var predictX0 = true
        public var solverType = SolverType.bh2
        /// Steps (by index in the run) whose next step skips the corrector.
        public var disableCorrector: [Int] = []
        public var finalSigmas = FinalSigmas.zero
        public var timestepPlacement = TimestepPlacement(.linspace)

        public init() {}

        /// diffusers turns the other solvers' types into bh2.
        public static var keys: [ConfigurationKey<Self>] {
            [.group(\.solverOptions), .value("predict_x0", \.predictX0),
             .choice("solver_type", \.solverType, aliases: ["midpoint": .bh2, "heun": .bh2, "logrho": .bh2],
                     otherwise: "choose bh1 or bh2"),
             .value("disable_corrector", \.disableCorrector), .choice("final_sigmas_type", \.finalSigmas),
             .group(\.timestepPlacement), .check { config, scheduler in
                 if let solver: JSONValue = try config.optionalValue("solver_p"), solver != .null {
                     throw LoadingError.invalidConfigValue(config.url, key: "solver_p",
                                                           reason: "\(scheduler): a custom predictor is not supported")
                 }
             }]
        }
    }

    public let configuration: Configuration
    public private(set) var state: SolverState
    /// The sample the last predictor started from, which the next corrector revisits.
    private var lastSample: Tensor?
    /// The order of the last predictor, which the next corrector repeats.
    private var lastOrder = 0

    public init(configuration: Configuration = Configuration()) throws {
        let name = Self.className
        state = try SolverState(configuration.solverOptions, scheduler: name)
        // diffusers' last step divides by an infinite log-SNR step unless it is a first-order bh2 x₀ step.
        let lastStepIsFirstOrder = configuration.solverOrder == 1 || configuration.lowerOrderFinal
        if configuration.finalSigmas == .zero,
           !(configuration.predictX0 && configuration.solverType == .bh2 && lastStepIsFirstOrder) {
            throw SchedulerError.invalidParameter(scheduler: name, parameter: "final_sigmas_type", reason:
                "'zero' makes the last step NaN or infinite unless 'predict_x0' is true, 'solver_type' is bh2 and "
                + "the last step is first-order ('lower_order_final' or 'solver_order' 1); choose 'sigma_min'")
        }
        self.configuration = configuration
    }

    public mutating func setTimesteps(_ count: Int) throws {
        let schedule = try state.setup.run(count: count, spacing: configuration.timestepSpacing,
                                     stepsOffset: configuration.stepsOffset, karras: configuration.useKarrasSigmas,
                                     scheduler: Self.className)
        let finalSigma: Float = switch configuration.finalSigmas {
        case .zero: 0
        // Karras runs end at their own smallest σ, computed in double precision.
        case .sigmaMin: configuration.useKarrasSigmas ? schedule.sigmas[schedule.sigmas.count - 1]
                                                      : schedule.trainingSigmas[0]
        }
        state.start(schedule, finalSigma: finalSigma)
        lastSample = nil
        lastOrder = 0
    }

    public mutating func step(modelOutput: Tensor, timestep: Int, sample: Tensor,
                              noise: NoiseSource) throws -> Tensor {
        let index = try SolverSchedule.stepIndex(state.history.nextIndex, timestep: timestep, run: timesteps, sigmas: sigmas,
                                                 modelOutput: modelOutput, sample: sample, scheduler: Self.className)
        let converted = state.setup.converted(modelOutput, sample: sample, level: NoiseLevel(sigmas[index]),
                                        predictsData: configuration.predictX0)
        var sample = sample
        if index > 0, !configuration.disableCorrector.contains(index - 1), let lastSample {
            sample = correctedSample(sample, modelOutput: converted, lastSample: lastSample, index: index)
        }
        state.history.record(converted, keeping: configuration.solverOrder)
        let order = configuration.lowerOrderFinal
            ? min(configuration.solverOrder, timesteps.count - index) : configuration.solverOrder
        lastOrder = min(order, state.history.earlierSteps + 1)
        lastSample = sample
        let result = predictedSample(from: sample, index: index)
        state.history.finishStep(at: index, order: configuration.solverOrder)
        return result
    }

    // MARK: Step math

    /// The weights of one UniP or UniC update of `order` from `source` to `target`, whose history `outputs`
    /// (newest last, the source's own output last) sits at the σ `historySigmas` (newest first, before the source).
    private struct Update {
        let target: NoiseLevel
        let source: NoiseLevel
        /// h·φ₁(h) = e^(h) − 1 of the signed step.
        let hPhi1: Float
        let bH: Float
        /// The ratios r_k of the earlier steps' λ offsets to h, then 1.
        let ratios: [Float]
        /// The right-hand sides b of the order conditions.
        let conditions: [Float]
        /// (m_k − m₀) / r_k for each earlier output.
        let differences: [Tensor]

        init(order: Int, target: NoiseLevel, source: NoiseLevel, earlierSigmas: [Float], outputs: [Tensor],
             predictsData: Bool, solverType: SolverType) {
            self.target = target
            self.source = source
            let h = target.lambda - source.lambda
            let m0 = outputs[outputs.count - 1]
            var ratios: [Float] = [], differences: [Tensor] = []
            for offset in 1..<max(order, 1) {
                let ratio = (NoiseLevel(earlierSigmas[offset - 1]).lambda - source.lambda) / h
                ratios.append(ratio)
                differences.append(outputs[outputs.count - 1 - offset].zipMap(m0) { ($0 - $1) / ratio })
            }
            self.ratios = ratios + [1]
            self.differences = differences
            let hh = predictsData ? -h : h
            hPhi1 = expm1(hh)
            bH = solverType == .bh1 ? hh : expm1(hh)
            var hPhiK = hPhi1 / hh - 1
            var factorial = 1
            var conditions: [Float] = []
            for index in 1...order {
                conditions.append(hPhiK * Float(factorial) / bH)
                factorial *= index + 1
                hPhiK = hPhiK / hh - Float(1 / Double(factorial))
            }
            self.conditions = conditions
        }

        /// The Vandermonde-like matrix R of the order conditions, `size`×`size`: row i holds r_k^i.
        func conditionMatrix(size: Int) -> [[Float]] {
            (0..<size).map { power in ratios.prefix(size).map { power == 0 ? 1 : power == 1 ? $0 : $0 * $0 } }
        }

        /// `x_t` of the update from `sample`: the first-order part and `−scale·B(h)·residual`, where `scale` is α_t
        /// (data prediction) or σ_t (noise prediction).
        func apply(to sample: Tensor, m0: Tensor, residual: Tensor?, predictsData: Bool) -> Tensor {
            let base: Tensor = predictsData
                ? Tensor.linearCombination([(target.sigma / source.sigma, sample), (-(target.alpha * hPhi1), m0)])
                : Tensor.linearCombination([(target.alpha / source.alpha, sample), (-(target.sigma * hPhi1), m0)])
            guard let residual else { return base }
            let scale = (predictsData ? target.alpha : target.sigma) * bH
            return base.adding([(-scale, residual)])
        }
    }

    /// UniP: the sample at the next σ from `sample` and the last `lastOrder` converted outputs.
    private func predictedSample(from sample: Tensor, index: Int) -> Tensor {
        let order = lastOrder
        let update = Update(order: order, target: NoiseLevel(sigmas[index + 1]), source: NoiseLevel(sigmas[index]),
                            earlierSigmas: (1..<max(order, 1)).map { sigmas[index - $0] }, outputs: state.history.outputs,
                            predictsData: configuration.predictX0, solverType: configuration.solverType)
        let weights: [Float] = switch order {
        case 1: []
        case 2: [0.5]
        default: LinearSystem.solve(update.conditionMatrix(size: order - 1), Array(update.conditions.prefix(order - 1)))
        }
        let residual = weights.isEmpty ? nil : Self.weightedSum(weights, update.differences)
        return update.apply(to: sample, m0: state.history.outputs[state.history.outputs.count - 1], residual: residual,
                            predictsData: configuration.predictX0)
    }

    /// UniC: `sample` (the last predictor's result) recomputed from `lastSample` with the model output at
    /// `sample` added to the last predictor's history.
    private func correctedSample(_ sample: Tensor, modelOutput: Tensor, lastSample: Tensor, index: Int) -> Tensor {
        let order = lastOrder
        let update = Update(order: order, target: NoiseLevel(sigmas[index]), source: NoiseLevel(sigmas[index - 1]),
                            earlierSigmas: (1..<max(order, 1)).map { sigmas[index - 1 - $0] }, outputs: state.history.outputs,
                            predictsData: configuration.predictX0, solverType: configuration.solverType)
        let weights = order == 1 ? [0.5] : LinearSystem.solve(update.conditionMatrix(size: order), update.conditions)
        let m0 = state.history.outputs[state.history.outputs.count - 1]
        let newest = modelOutput.zipMap(m0) { $0 - $1 }
        let history = update.differences.isEmpty ? nil : Self.weightedSum(Array(weights.dropLast()), update.differences)
        let lastWeight = weights[weights.count - 1]
        let residual = history.map { $0.zipMap(newest) { sum, value in sum + lastWeight * value } }
            ?? lastWeight * newest
        return update.apply(to: lastSample, m0: m0, residual: residual, predictsData: configuration.predictX0)
    }

    /// `Σ w_k·D_k` (diffusers' `einsum("k,bkc...->bc...")`).
    private static func weightedSum(_ weights: [Float], _ differences: [Tensor]) -> Tensor {
        Tensor.linearCombination(Array(zip(weights, differences)))
    }
}
