import Foundation
import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors

/// A sampling request samples as the sampler it describes, set up for the schedule of the scheduler it is given: a
/// pipeline builds the scheduler once, and the sampler follows from it.
extension SamplingRequest: Sampler {
    public func sample(_ latents: Tensor, scheduler: inout any Scheduler, denoiser: Denoiser, noise: NoiseSource,
                       progress: (SamplingProgress) -> Void) throws -> SamplingResult {
        try sampler(for: scheduler.timesteps).sample(latents, scheduler: &scheduler, denoiser: denoiser, noise: noise,
                                                     progress: progress)
    }

    /// The sampler this request describes, for a schedule of `timesteps`.
    func sampler(for timesteps: [Int]) throws -> any Sampler {
        switch method {
        case .sequential:
            return SequentialSampler(keepsTrajectory: keepsTrajectory)
        case .paradigms:
            return try ParaDiGMSSampler(parallel: parallel ?? 16, tolerance: tolerance ?? 0.1,
                                        maxIterations: maxIterations, keepsTrajectory: keepsTrajectory)
        case .parataa:
            let window = min(window ?? timesteps.count, timesteps.count)
            return try ParaTAASampler(
                window: window, order: order ?? min(20, window), memory: memory ?? 2,
                absoluteTolerance: tolerance ?? 1e-3, noiseTolerance: tolerance ?? 1e-3, maxIterations: maxIterations,
                initialTrajectory: try initialTrajectory.map { try TrajectoryFile.read($0, timesteps: timesteps) },
                variationSteps: variationSteps, keepsTrajectory: keepsTrajectory)
        }
    }
}
