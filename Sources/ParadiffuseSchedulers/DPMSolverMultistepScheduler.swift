import Foundation
import ParadiffuseLoading
import ParadiffuseTensors

/// DPM-Solver and DPM-Solver++ (Lu et al. 2022a, 2022b): exponential-integrator multistep solvers of the
/// diffusion ODE (or, for `sde-dpmsolver++`, SDE) in log-SNR time λ = log(α/σ), of order 1 to 3 from the model
/// outputs of the last steps. Steps equal diffusers' `DPMSolverMultistepScheduler` for the options below; the
/// σ schedules other than the spaced and Karras ones, `lambda_min_clipped`, learned variances and flow
/// prediction are not supported and are rejected.
public struct DPMSolverMultistepScheduler: SolverScheduler {
    public static let className = "DPMSolverMultistepScheduler"

    /// `scheduler_config.json`, with diffusers' defaults.
    public struct Configuration: SolverConfiguration, TimestepSpacingConfiguration {
        public var solverOptions = SolverOptions()
        public var algorithm = DPMSolverAlgorithm.dpmSolverPlusPlus
        public var solverType = DPMSolverType.midpoint
        /// Use a first-order step last, whatever the run's length.
        public var eulerAtFinal = false
        public var finalSigmas = FinalSigmas.zero
        public var timestepPlacement = TimestepPlacement(.linspace)

        public init() {}

        public static var keys: [ConfigurationKey<Self>] {
            [.group(\.solverOptions), .choice("algorithm_type", \.algorithm), .choice("solver_type", \.solverType),
             .value("euler_at_final", \.eulerAtFinal), .choice("final_sigmas_type", \.finalSigmas),
             .group(\.timestepPlacement), .onlyFalse("use_lu_lambdas"), .rejectingUnsupportedDPMSolverKeys]
        }
    }

    public let configuration: Configuration
    public private(set) var state: SolverState

    public init(configuration: Configuration = Configuration()) throws {
        let name = Self.className
        state = try SolverState(configuration.solverOptions, scheduler: name)
        try configuration.algorithm.check(configuration.finalSigmas, scheduler: name)
        self.configuration = configuration
    }

    public mutating func setTimesteps(_ count: Int) throws {
        // diffusers truncates the Karras timesteps of the cosine schedule rather than rounding them.
        let karras: SolverSchedule.KarrasTimesteps? = !configuration.useKarrasSigmas ? nil
            : noiseSchedule.configuration.betaSchedule == .squaredcosCapV2 ? .truncated : .rounded
        let schedule = try SolverSchedule(count: count, alphasCumprod: alphasCumprod,
                                          spacing: configuration.timestepSpacing,
                                          stepsOffset: configuration.stepsOffset, karras: karras,
                                          scheduler: Self.className)
        state.start(schedule, finalSigma: configuration.finalSigmas == .zero ? 0 : schedule.trainingSigmas[0])
    }

    public mutating func step(modelOutput: Tensor, timestep: Int, sample: Tensor,
                              noise: NoiseSource) throws -> Tensor {
        let index = try SolverSchedule.stepIndex(state.history.nextIndex, timestep: timestep, run: timesteps, sigmas: sigmas,
                                                 modelOutput: modelOutput, sample: sample, scheduler: Self.className)
        let converted = convert(modelOutput, sample: sample, level: NoiseLevel(sigmas[index]))
        state.history.record(converted, keeping: configuration.solverOrder)
        let stepNoise = configuration.algorithm == .sdeDPMSolverPlusPlus
            ? try SolverSchedule.draw(noise, like: sample, scheduler: Self.className) : nil
        let result = update(order: stepOrder(at: index, earlierSteps: state.history.earlierSteps),
                            outputs: state.history.outputs, sample: sample, index: index, noise: stepNoise)
        state.history.finishStep(at: index, order: configuration.solverOrder)
        return result
    }

    /// The order of the step at schedule position `index` after `earlierSteps` steps of this run: lower at the
    /// start, and for the last steps as `lower_order_final`, `euler_at_final` and a zero final σ ask.
    func stepOrder(at index: Int, earlierSteps: Int) -> Int {
        let count = timesteps.count
        let isShortRun = configuration.lowerOrderFinal && count < 15
        let lowerOrderFinal = index == count - 1
            && (configuration.eulerAtFinal || isShortRun || configuration.finalSigmas == .zero)
        let lowerOrderSecond = index == count - 2 && isShortRun
        if lowerOrderFinal { return 1 }
        let order = min(configuration.solverOrder, earlierSteps + 1)
        return lowerOrderSecond ? min(order, 2) : order
    }

    /// The step from `sample` at schedule position `index` combining the last `order` of `outputs` (converted
    /// model outputs of consecutive steps, oldest first, the step's own last).
    func update(order: Int, outputs: [Tensor], sample: Tensor, index: Int, noise: Tensor?) -> Tensor {
        switch order {
        case 1: firstOrderUpdate(outputs[outputs.count - 1], sample: sample, index: index, noise: noise)
        case 2: secondOrderUpdate(outputs: outputs, sample: sample, index: index, noise: noise)
        default: thirdOrderUpdate(outputs: outputs, sample: sample, index: index, noise: noise)
        }
    }

    // MARK: Step math

    /// The model output as the solver uses it: x₀ for the `++` solvers, ε for `dpmsolver`, thresholded if asked.
    func convert(_ modelOutput: Tensor, sample: Tensor, level: NoiseLevel) -> Tensor {
        let predictsData = configuration.algorithm.predictsData
        let converted = state.setup.converted(modelOutput, sample: sample, level: level, predictsData: predictsData)
        guard !predictsData, configuration.thresholding else { return converted }
        return state.setup.limitingNoise(converted, sample: sample, level: level)
    }

    /// The weights of the step from schedule position `index` to the next.
    func coefficients(at index: Int) -> DPMSolverCoefficients {
        let target = NoiseLevel(sigmas[index + 1]), source = NoiseLevel(sigmas[index])
        return DPMSolverCoefficients(configuration.algorithm, target: target, base: source,
                                     h: target.lambda - source.lambda)
    }

    private func firstOrderUpdate(_ output: Tensor, sample: Tensor, index: Int, noise: Tensor?) -> Tensor {
        coefficients(at: index).update(sample: sample, d0: output, [], noise: noise)
    }

    private func secondOrderUpdate(outputs modelOutputs: [Tensor], sample: Tensor, index: Int,
                                   noise: Tensor?) -> Tensor {
        let target = NoiseLevel(sigmas[index + 1])
        let s0 = NoiseLevel(sigmas[index]), s1 = NoiseLevel(sigmas[index - 1])
        let m0 = modelOutputs[modelOutputs.count - 1], m1 = modelOutputs[modelOutputs.count - 2]
        return DPMSolverCoefficients.secondOrderUpdate(
            configuration.algorithm, configuration.solverType, sample: sample, target: target, base: s0,
            h: target.lambda - s0.lambda, h0: s0.lambda - s1.lambda, newer: m0, older: m1, d0: m0, noise: noise)
    }

    private func thirdOrderUpdate(outputs modelOutputs: [Tensor], sample: Tensor, index: Int,
                                  noise: Tensor?) -> Tensor {
        let target = NoiseLevel(sigmas[index + 1])
        let s0 = NoiseLevel(sigmas[index]), s1 = NoiseLevel(sigmas[index - 1]), s2 = NoiseLevel(sigmas[index - 2])
        let count = modelOutputs.count
        let m0 = modelOutputs[count - 1], m1 = modelOutputs[count - 2], m2 = modelOutputs[count - 3]
        let h = target.lambda - s0.lambda, h0 = s0.lambda - s1.lambda, h1 = s1.lambda - s2.lambda
        let r0 = h0 / h, r1 = h1 / h
        let d10 = Tensor.scaledDifference(1 / r0, m0, m1), d11 = Tensor.scaledDifference(1 / r1, m1, m2)
        let d1Weight = r0 / (r0 + r1), d2Weight = 1 / (r0 + r1)
        let d1 = d10.zipMap(d11) { d10, d11 in d10 + d1Weight * (d10 - d11) }
        let d2 = Tensor.scaledDifference(d2Weight, d10, d11)
        let weights = DPMSolverCoefficients(configuration.algorithm, target: target, base: s0, h: h)
        return weights.update(sample: sample, d0: m0, [(weights.secondOrder, d1), (weights.thirdOrder, d2)],
                              noise: noise)
    }
}
