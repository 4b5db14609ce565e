import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors

/// Any sampler run by every process of a group in step, its denoiser calls shared among them
/// (`DistributedDenoiser`, item by item when `evaluatesItemwise`). Every process returns the same result.
public struct DistributedSampler: Sampler {
    public let sampler: any Sampler
    public let group: ProcessGroup
    public let split: BatchSplit
    public let evaluatesItemwise: Bool

    public init(_ sampler: any Sampler, group: ProcessGroup, split: BatchSplit, evaluatesItemwise: Bool) {
        self.sampler = sampler
        self.group = group
        self.split = split
        self.evaluatesItemwise = evaluatesItemwise
    }

    public func sample(_ latents: Tensor, scheduler: inout any Scheduler, denoiser: Denoiser, noise: NoiseSource,
                       progress: (SamplingProgress) -> Void) throws -> SamplingResult {
        try sampler.sample(latents, scheduler: &scheduler,
                           denoiser: DistributedDenoiser(local: denoiser, group: group, split: split,
                                                         evaluatesItemwise: evaluatesItemwise),
                           noise: noise, progress: progress)
    }
}
