import ParadiffuseSchedulers
import ParadiffuseTensors

/// A scheduler whose schedule starts `skippedSteps` steps late: image-to-image's `get_timesteps`, which runs only
/// the last steps of the schedule (`skippedSteps` whole steps, each `order` schedule entries) from a partly noised
/// image. Everything else is the wrapped scheduler's; over a one-step `ParallelScheduler` it is one too, so that
/// ParaDiGMS and ParaTAA run image-to-image.
struct SkippingScheduler<Base: Scheduler>: Scheduler {
    private(set) var base: Base
    let skippedSteps: Int

    init(_ base: Base, skippingSteps skippedSteps: Int) {
        self.base = base
        self.skippedSteps = skippedSteps
    }

    /// The schedule entries left out.
    var skippedEntries: Int { skippedSteps * base.order }

    var timesteps: [Int] { Array(base.timesteps.dropFirst(skippedEntries)) }
    var initNoiseSigma: Float { base.initNoiseSigma }
    var order: Int { base.order }

    func modelTimestep(at timestep: Int) -> Float { base.modelTimestep(at: timestep) }

    mutating func setTimesteps(_ count: Int) throws { try base.setTimesteps(count) }

    func scaleModelInput(_ sample: Tensor, timestep: Int) -> Tensor { base.scaleModelInput(sample, timestep: timestep) }

    mutating func step(modelOutput: Tensor, timestep: Int, sample: Tensor, noise: NoiseSource) throws -> Tensor {
        try base.step(modelOutput: modelOutput, timestep: timestep, sample: sample, noise: noise)
    }

    func addNoise(original: Tensor, noise: Tensor, timesteps: [Int]) throws -> Tensor {
        try base.addNoise(original: original, noise: noise, timesteps: timesteps)
    }
}

extension SkippingScheduler: ParallelScheduler where Base: ParallelScheduler {
    var isODE: Bool { base.isODE }

    func drawsNoise(at timestep: Int) -> Bool { base.drawsNoise(at: timestep) }

    func noiseScale(at timestep: Int) throws -> Float { try base.noiseScale(at: timestep) }

    func posteriorStandardDeviation(at timestep: Int) throws -> Float { try base.posteriorStandardDeviation(at: timestep) }

    func transitionWithoutNoise(modelOutput: Tensor, sample: Tensor, timesteps: [Int]) throws -> Tensor {
        try base.transitionWithoutNoise(modelOutput: modelOutput, sample: sample, timesteps: timesteps)
    }

    var lookback: Int { base.lookback }

    func transitionsWithoutNoise(steps: Range<Int>, samples: [Tensor], modelOutputs: [Tensor],
                                 earlier: [EvaluatedStep]) throws -> [Tensor] {
        // A multistep solver's first steps after the skipped ones run at lower orders (its history starts empty),
        // which its batched transitions, made for runs from the schedule's start, do not reproduce.
        guard base.lookback == 0 || skippedSteps == 0 else {
            throw SchedulerError.invalidParameter(scheduler: "image-to-image", parameter: "scheduler", reason:
                "must be a one-step scheduler (ddim, ddpm, euler) for parallel sampling from a partly noised image; "
                + "multistep solvers restart their history there")
        }
        let shifted = steps.lowerBound + skippedEntries..<steps.upperBound + skippedEntries
        return try base.transitionsWithoutNoise(steps: shifted, samples: samples, modelOutputs: modelOutputs,
                                                earlier: earlier)
    }
}

/// `base` without its first `skippedSteps` steps, a `ParallelScheduler` when `base` is one.
func skipping(_ skippedSteps: Int, of base: some Scheduler) -> any Scheduler {
    SkippingScheduler(base, skippingSteps: skippedSteps)
}
