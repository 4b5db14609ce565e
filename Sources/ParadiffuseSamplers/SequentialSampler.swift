import Dispatch
import ParadiffuseSchedulers
import ParadiffuseTensors

/// The usual sampling loop: one denoiser call per timestep, in order, as diffusers' pipelines run it.
public struct SequentialSampler: Sampler {
    /// Whether to keep every intermediate latent in the result.
    public var keepsTrajectory: Bool

    public init(keepsTrajectory: Bool = false) {
        self.keepsTrajectory = keepsTrajectory
    }

    public func sample(_ latents: Tensor, scheduler: inout any Scheduler, denoiser: Denoiser, noise: NoiseSource,
                       progress: (SamplingProgress) -> Void = { _ in }) throws -> SamplingResult {
        let start = DispatchTime.now().uptimeNanoseconds
        var sample = latents
        var statistics = SamplingStatistics()
        var trajectory = keepsTrajectory ? [latents] : nil
        let timesteps = scheduler.timesteps
        for (index, timestep) in timesteps.enumerated() {
            let input = scheduler.scaleModelInput(sample, timestep: timestep)
            let output = try denoiser.denoiseFinite(input, timesteps: Array(repeating: scheduler.modelTimestep(at: timestep),
                                                                            count: sample.batchSize))
            sample = try scheduler.step(modelOutput: output, timestep: timestep, sample: sample, noise: noise)
            trajectory?.append(sample)
            statistics.parallelIterations += 1
            statistics.modelEvaluations += sample.batchSize
            progress(SamplingProgress(completed: index + 1, total: timesteps.count, latents: sample))
        }
        statistics.wallSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return SamplingResult(latents: sample, statistics: statistics, trajectory: trajectory)
    }
}
