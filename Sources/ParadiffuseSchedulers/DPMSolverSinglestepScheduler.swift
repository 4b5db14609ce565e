import Foundation
import ParadiffuseLoading
import ParadiffuseTensors

/// Singlestep DPM-Solver and DPM-Solver++ (Lu et al. 2022a, 2022b): the run is cut into groups of 1 to 3 steps;
/// each group starts from the sample at its first step and combines the model outputs of the group's steps, so a
/// group of order k advances by one k-th order step (the samples handed to its later steps are not used). Steps
/// equal diffusers' `DPMSolverSinglestepScheduler` (ODE solvers and `sde-dpmsolver++`, midpoint and Heun,
/// `lower_order_final`, both final σ, Karras σ); flow, exponential and beta σ, `lambda_min_clipped`, learned
/// variances and thresholding with the noise-prediction `dpmsolver` (which diffusers cannot run) are rejected.
///
/// As diffusers does, `set_timesteps` turns `lower_order_final` on for a count the order does not divide or a zero
/// final σ, and keeps it on for later runs.
///
/// No parallel transition: the later steps of a group start from the group's first sample, not from their own.
public struct DPMSolverSinglestepScheduler: SolverScheduler {
    public static let className = "DPMSolverSinglestepScheduler"

    /// `scheduler_config.json`, with diffusers' defaults.
    public struct Configuration: SolverConfiguration {
        public var solverOptions = SolverOptions()
        public var algorithm = DPMSolverAlgorithm.dpmSolverPlusPlus
        public var solverType = DPMSolverType.midpoint
        public var finalSigmas = FinalSigmas.zero

        /// diffusers' defaults, which end a run with lower-order groups only where `setTimesteps` asks for them.
        public init() {
            solverOptions.lowerOrderFinal = false
        }

        /// Other keys are ignored (among them `timestep_spacing`, `steps_offset` and `rescale_betas_zero_snr`: its
        /// timesteps are always linspace-spaced). diffusers turns `algorithm_type` `deis` into `dpmsolver++` and
        /// the other solvers' types into `midpoint`.
        public static var keys: [ConfigurationKey<Self>] {
            [.group(\.solverOptions, keys: SolverOptions.keys(readsZeroSNR: false)),
             .choice("algorithm_type", \.algorithm, aliases: ["deis": .dpmSolverPlusPlus]),
             .choice("solver_type", \.solverType, aliases: ["logrho": .midpoint, "bh1": .midpoint, "bh2": .midpoint]),
             .choice("final_sigmas_type", \.finalSigmas), .rejectingUnsupportedDPMSolverKeys]
        }
    }

    public private(set) var configuration: Configuration
    public private(set) var state: SolverState
    /// The order of each step: 1 opens a group, 2 and 3 continue it (diffusers' `order_list`).
    public private(set) var stepOrders: [Int] = []
    /// The sample at the first step of the current group.
    private var groupSample: Tensor?

    public init(configuration: Configuration = Configuration()) throws {
        let name = Self.className
        state = try SolverState(configuration.solverOptions, scheduler: name)
        try configuration.algorithm.check(configuration.finalSigmas, scheduler: name)
        if !configuration.algorithm.predictsData, configuration.thresholding {
            throw SchedulerError.invalidParameter(scheduler: name, parameter: "thresholding", reason:
                "is not supported with 'algorithm_type' 'dpmsolver' (diffusers' singlestep solver fails on it)")
        }
        self.configuration = configuration
    }

    public mutating func setTimesteps(_ count: Int) throws {
        // Singlestep DPM-Solver always spaces linearly (it has no `timestep_spacing`).
        let schedule = try state.setup.run(count: count, spacing: .linspace, stepsOffset: 0,
                                     karras: configuration.useKarrasSigmas, scheduler: Self.className)
        state.start(schedule, finalSigma: configuration.finalSigmas == .zero ? 0 : schedule.trainingSigmas[0])
        if count % configuration.solverOrder != 0 || configuration.finalSigmas == .zero {
            configuration.lowerOrderFinal = true
        }
        stepOrders = Self.groupOrders(count: count, order: configuration.solverOrder,
                                     lowerOrderFinal: configuration.lowerOrderFinal)
        if configuration.finalSigmas == .zero { stepOrders[stepOrders.count - 1] = 1 }
        groupSample = nil
    }

    /// diffusers' `get_order_list`: groups of `order` steps, with `lowerOrderFinal` the remainder (or, for a
    /// count the order divides, the last group) split into lower orders.
    public static func groupOrders(count: Int, order: Int, lowerOrderFinal: Bool) -> [Int] {
        let group = Array(1...order)
        guard lowerOrderFinal, order > 1 else { return Array(repeating: group, count: count / order).flatMap { $0 } }
        let remainder = count % order
        let tail = remainder == 0 ? (order == 3 ? [1, 2, 1] : [1, 1]) : Array(1...remainder)
        let fullGroups = remainder == 0 ? count / order - 1 : count / order
        return Array(repeating: group, count: fullGroups).flatMap { $0 } + tail
    }

    public mutating func step(modelOutput: Tensor, timestep: Int, sample: Tensor,
                              noise: NoiseSource) throws -> Tensor {
        let index = try SolverSchedule.stepIndex(state.history.nextIndex, timestep: timestep, run: timesteps, sigmas: sigmas,
                                                 modelOutput: modelOutput, sample: sample, scheduler: Self.className)
        let converted = state.setup.converted(modelOutput, sample: sample, level: NoiseLevel(sigmas[index]),
                                        predictsData: configuration.algorithm.predictsData)
        let earlier = state.history.outputs.count
        state.history.record(converted, keeping: configuration.solverOrder)
        let stepNoise = configuration.algorithm == .sdeDPMSolverPlusPlus
            ? try SolverSchedule.draw(noise, like: sample, scheduler: Self.className) : nil
        // A run started mid-group has fewer outputs than its order asks.
        let order = min(stepOrders[index], earlier + 1)
        if order == 1 { groupSample = sample }
        let start = groupSample ?? sample
        let result: Tensor
        switch order {
        case 1: result = firstOrderUpdate(converted, sample: start, index: index, noise: stepNoise)
        case 2: result = secondOrderUpdate(sample: start, index: index, noise: stepNoise)
        default: result = thirdOrderUpdate(sample: start, index: index, noise: stepNoise)
        }
        state.history.finishStep(at: index, order: configuration.solverOrder)
        return result
    }

    // MARK: Step math

    private func firstOrderUpdate(_ output: Tensor, sample: Tensor, index: Int, noise: Tensor?) -> Tensor {
        let target = NoiseLevel(sigmas[index + 1]), source = NoiseLevel(sigmas[index])
        return DPMSolverCoefficients(configuration.algorithm, target: target, base: source,
                                     h: target.lambda - source.lambda)
            .update(sample: sample, d0: output, [], noise: noise)
    }

    /// From the group's first sample at step `index − 1` over two steps' worth of λ.
    private func secondOrderUpdate(sample: Tensor, index: Int, noise: Tensor?) -> Tensor {
        let target = NoiseLevel(sigmas[index + 1])
        let s0 = NoiseLevel(sigmas[index]), s1 = NoiseLevel(sigmas[index - 1])
        let modelOutputs = state.history.outputs
        let m0 = modelOutputs[modelOutputs.count - 1], m1 = modelOutputs[modelOutputs.count - 2]
        return DPMSolverCoefficients.secondOrderUpdate(
            configuration.algorithm, configuration.solverType, sample: sample, target: target, base: s1,
            h: target.lambda - s1.lambda, h0: s0.lambda - s1.lambda, newer: m0, older: m1, d0: m1, noise: noise)
    }

    /// From the group's first sample at step `index − 2` over three steps' worth of λ.
    private func thirdOrderUpdate(sample: Tensor, index: Int, noise: Tensor?) -> Tensor {
        let target = NoiseLevel(sigmas[index + 1])
        let s0 = NoiseLevel(sigmas[index]), s1 = NoiseLevel(sigmas[index - 1]), s2 = NoiseLevel(sigmas[index - 2])
        let modelOutputs = state.history.outputs, count = modelOutputs.count
        let m0 = modelOutputs[count - 1], m1 = modelOutputs[count - 2], m2 = modelOutputs[count - 3]
        let h = target.lambda - s2.lambda, h0 = s0.lambda - s2.lambda, h1 = s1.lambda - s2.lambda
        let r0 = h0 / h, r1 = h1 / h
        let d10 = Tensor.scaledDifference(1 / r1, m1, m2), d11 = Tensor.scaledDifference(1 / r0, m0, m2)
        let weights = DPMSolverCoefficients(configuration.algorithm, target: target, base: s2, h: h)
        guard configuration.solverType == .heun else {
            return weights.update(sample: sample, d0: m2, [(weights.secondOrder, d11)], noise: noise)
        }
        let d1 = d10.zipMap(d11) { d10, d11 in (r0 * d10 - r1 * d11) / (r0 - r1) }
        let d2 = d11.zipMap(d10) { d11, d10 in 2 * (d11 - d10) / (r0 - r1) }
        return weights.update(sample: sample, d0: m2, [(weights.secondOrder, d1), (weights.thirdOrder, d2)],
                              noise: noise)
    }
}
