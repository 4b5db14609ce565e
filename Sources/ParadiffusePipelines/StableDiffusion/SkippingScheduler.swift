import ParadiffuseSchedulers
import ParadiffuseTensors

/// A scheduler whose schedule starts `skippedSteps` steps late: image-to-image's `get_timesteps`, which runs only
/// the last steps of the schedule (`skippedSteps` whole steps, each `order` schedule entries) from a partly noised image. Everything else is the wrapped scheduler's.
struct SkippingScheduler: Scheduler {
    private(set) var base: any Scheduler
    let skippedSteps: Int

    init(_ base: any Scheduler, skippingSteps skippedSteps: Int) {
        self.base = base
        self.skippedSteps = skippedSteps
    }

    var timesteps: [Int] { Array(base.timesteps.dropFirst(skippedSteps * base.order)) }
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
