import Foundation
import ParadiffuseTensors

/// DPM-Solver's steps for parallel samplers. A step of order k combines the converted model outputs of its own and
/// the k − 1 steps before it, so the batched transitions take those earlier steps (`lookback`) and reproduce `step`
/// of a run that started at the schedule's first step, orders and all. ParaDiGMS uses them; ParaTAA, whose
/// triangular system assumes one-step transitions, does not.
///
/// Steps are found by timestep, so the schedule's timesteps must be distinct (a Karras schedule of many steps
/// rounds neighbouring σ to the same timestep: such runs are rejected).
extension DPMSolverMultistepScheduler: ParallelScheduler {
    public var isODE: Bool { configuration.algorithm != .sdeDPMSolverPlusPlus }

    public var lookback: Int { configuration.solverOrder - 1 }

    public func drawsNoise(at timestep: Int) -> Bool { !isODE }

    public func noiseScale(at timestep: Int) throws -> Float {
        guard !isODE else { return 0 }
        return coefficients(at: try parallelIndex(of: timestep)).noiseScale ?? 0
    }

    /// The DDPM posterior standard deviation between the step's σ and the next, with ᾱ = 1/(σ² + 1).
    public func posteriorStandardDeviation(at timestep: Int) throws -> Float {
        let index = try parallelIndex(of: timestep)
        let alphaProduct = 1 / (sigmas[index] * sigmas[index] + 1)
        let previousAlphaProduct = 1 / (sigmas[index + 1] * sigmas[index + 1] + 1)
        let variance = (1 - previousAlphaProduct) / (1 - alphaProduct) * (1 - alphaProduct / previousAlphaProduct)
        return max(variance, 0).squareRoot()
    }

    /// Only first-order steps (every step when `solver_order` is 1) need no earlier model output.
    public func transitionWithoutNoise(modelOutput: Tensor, sample: Tensor, timesteps: [Int]) throws -> Tensor {
        guard modelOutput.shape == sample.shape, modelOutput.layout == sample.layout else {
            throw SchedulerError.shapeMismatch(scheduler: Self.className, parameter: "model_output",
                                               shape: modelOutput.shape, expected: "the sample's \(sample.shape)")
        }
        let itemTimesteps = try timestepsPerItem(timesteps, batchSize: sample.batchSize, scheduler: Self.className)
        let items = try itemTimesteps.enumerated().map { item, timestep in
            let index = try parallelIndex(of: timestep)
            guard stepOrder(at: index, earlierSteps: index) == 1 else {
                throw SchedulerError.invalidParameter(scheduler: Self.className, parameter: "timestep", reason:
                    "\(timestep) is a multistep step that combines earlier model outputs; use "
                    + "transitionsWithoutNoise(steps:samples:modelOutputs:earlier:)")
            }
            let itemSample = sample.batchItems(item..<item + 1)
            let output = convert(modelOutput.batchItems(item..<item + 1), sample: itemSample,
                                 level: NoiseLevel(sigmas[index]))
            return update(order: 1, outputs: [output], sample: itemSample, index: index, noise: nil)
        }
        return Tensor.concatenatingBatches(items)
    }

    public func transitionsWithoutNoise(steps: Range<Int>, samples: [Tensor], modelOutputs: [Tensor],
                                        earlier: [EvaluatedStep]) throws -> [Tensor] {
        precondition(samples.count == steps.count && modelOutputs.count == steps.count, "window sizes differ")
        guard sigmas.count == timesteps.count + 1 else { throw SchedulerError.timestepsNotSet(scheduler: Self.className) }
        try requireDistinctTimesteps()
        let expectedEarlier = min(lookback, steps.lowerBound)
        guard earlier.count == expectedEarlier else {
            throw SchedulerError.invalidParameter(scheduler: Self.className, parameter: "earlier", reason:
                "holds \(earlier.count) steps; the steps from \(steps.lowerBound) look back on \(expectedEarlier)")
        }
        let firstEarlier = steps.lowerBound - earlier.count
        var converted = earlier.enumerated().map { offset, step in
            convert(step.modelOutput, sample: step.sample, level: NoiseLevel(sigmas[firstEarlier + offset]))
        }
        return zip(steps, zip(samples, modelOutputs)).map { index, pair in
            let (sample, modelOutput) = pair
            converted.append(convert(modelOutput, sample: sample, level: NoiseLevel(sigmas[index])))
            return update(order: stepOrder(at: index, earlierSteps: index), outputs: converted, sample: sample,
                          index: index, noise: nil)
        }
    }

    /// The schedule position of `timestep` for parallel sampling, which needs distinct timesteps.
    private func parallelIndex(of timestep: Int) throws -> Int {
        guard sigmas.count == timesteps.count + 1 else { throw SchedulerError.timestepsNotSet(scheduler: Self.className) }
        try requireDistinctTimesteps()
        guard let index = timesteps.firstIndex(of: timestep) else {
            throw SchedulerError.timestepNotInSchedule(scheduler: Self.className, timestep: timestep)
        }
        return index
    }

    private func requireDistinctTimesteps() throws {
        guard Set(timesteps).count == timesteps.count else {
            throw SchedulerError.invalidParameter(scheduler: Self.className, parameter: "timesteps", reason:
                "repeat a timestep in this \(timesteps.count)-step schedule (Karras σ rounded to the same "
                + "timestep), so parallel samplers cannot tell its steps apart; use fewer steps or no Karras σ")
        }
    }
}
