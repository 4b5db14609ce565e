import Foundation
import ParadiffuseSamplers

extension SamplingRequest {
    /// The sampler this request describes, for a schedule of `timesteps`.
    public func makeSampler(timesteps: [Int]) throws -> any Sampler {
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
