import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors

/// A sampler whose progress reaches a `GenerationMonitor` and whose every model call first asks the monitor
/// whether the generation goes on, so that a cancelled generation stops within one model call.
struct MonitoredSampler: Sampler {
    let base: any Sampler
    let monitor: GenerationMonitor
    /// The pipeline's picture of a batch of latents.
    let preview: (Tensor) throws -> RGBImage

    func sample(_ latents: Tensor, scheduler: inout any Scheduler, denoiser: Denoiser, noise: NoiseSource,
                progress: (SamplingProgress) -> Void) throws -> SamplingResult {
        let timesteps = scheduler.timesteps
        monitor.samplingStarted()
        return try base.sample(latents, scheduler: &scheduler, denoiser: monitored(denoiser), noise: noise) { step in
            progress(step)
            let (done, total) = (step.completed, step.total)
            let timestep = total == timesteps.count && (1...total).contains(done) ? timesteps[done - 1] : nil
            monitor.report(completed: done, total: total, timestep: timestep, latents: step.latents, preview: preview)
        }
    }

    private func monitored<Base: Denoiser>(_ denoiser: Base) -> any Denoiser {
        MonitoredDenoiser(base: denoiser, monitor: monitor)
    }
}

/// A denoiser that asks its monitor before each model call; branched when its base is, so that `--split cfg`
/// still divides guidance's branches.
final class MonitoredDenoiser<Base: Denoiser>: Denoiser {
    let base: Base
    let monitor: GenerationMonitor

    init(base: Base, monitor: GenerationMonitor) {
        self.base = base
        self.monitor = monitor
    }

    var imagesPerGroup: Int { base.imagesPerGroup }

    func denoise(_ latents: Tensor, timesteps: [Float]) throws -> Tensor {
        try monitor.checkCancellation()
        return try base.denoise(latents, timesteps: timesteps)
    }
}

extension MonitoredDenoiser: BranchedDenoiser where Base: BranchedDenoiser {
    var branchCount: Int { base.branchCount }

    func networkOutputs(_ latents: Tensor, timesteps: [Float], items: Range<Int>) throws -> Tensor {
        try monitor.checkCancellation()
        return try base.networkOutputs(latents, timesteps: timesteps, items: items)
    }

    func combining(_ networkOutputs: Tensor) throws -> Tensor {
        try base.combining(networkOutputs)
    }
}
