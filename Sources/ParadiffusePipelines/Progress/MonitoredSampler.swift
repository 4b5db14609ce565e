import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors

/// A sampler whose progress reaches a `GenerationMonitor` and whose every model call first asks the monitor
/// whether the generation goes on, so that a cancelled generation stops within one model call. Previews show the
/// x̂₀ of the latest model call when `denoising` can tell it, else the latents the sampler holds.
struct MonitoredSampler: Sampler {
    let base: any Sampler
    let monitor: GenerationMonitor
    /// The pipeline's picture of a batch of latents.
    let preview: (Tensor) throws -> RGBImage
    let denoising: DenoisedEstimate?

    func sample(_ latents: Tensor, scheduler: inout any Scheduler, denoiser: Denoiser, noise: NoiseSource,
                progress: (SamplingProgress) -> Void) throws -> SamplingResult {
        let timesteps = scheduler.timesteps
        let recorder = monitor.previewInterval != nil && denoising != nil ? ModelCallRecorder() : nil
        monitor.samplingStarted()
        return try base.sample(latents, scheduler: &scheduler, denoiser: monitored(denoiser, recorder: recorder),
                               noise: noise) { step in
            progress(step)
            let (done, total) = (step.completed, step.total)
            let timestep = total == timesteps.count && (1...total).contains(done) ? timesteps[done - 1] : nil
            monitor.report(completed: done, total: total, timestep: timestep, latents: step.latents) { latents in
                let denoised = recorder?.last.flatMap { denoising?.denoised($0, imagesPerGroup: denoiser.imagesPerGroup) }
                return try preview(done == total ? latents : denoised ?? latents)
            }
        }
    }

    private func monitored<Base: Denoiser>(_ denoiser: Base, recorder: ModelCallRecorder?) -> any Denoiser {
        MonitoredDenoiser(base: denoiser, monitor: monitor, recorder: recorder)
    }
}

/// A denoiser that asks its monitor before each model call; branched when its base is, so that `--split cfg`
/// still divides guidance's branches.
final class MonitoredDenoiser<Base: Denoiser>: Denoiser {
    let base: Base
    let monitor: GenerationMonitor
    /// Keeps each model call for previews, when they are asked for.
    let recorder: ModelCallRecorder?
    /// The latents and timesteps of the branched call under way, until `combining` gives its output.
    private var pendingCall: (latents: Tensor, timesteps: [Float])?

    init(base: Base, monitor: GenerationMonitor, recorder: ModelCallRecorder?) {
        self.base = base
        self.monitor = monitor
        self.recorder = recorder
    }

    var imagesPerGroup: Int { base.imagesPerGroup }

    func denoise(_ latents: Tensor, timesteps: [Float]) throws -> Tensor {
        try monitor.checkCancellation()
        let output = try base.denoise(latents, timesteps: timesteps)
        recorder?.record(ModelCall(latents: latents, timesteps: timesteps, output: output))
        return output
    }
}

extension MonitoredDenoiser: BranchedDenoiser where Base: BranchedDenoiser {
    var branchCount: Int { base.branchCount }

    func networkOutputs(_ latents: Tensor, timesteps: [Float], items: Range<Int>) throws -> Tensor {
        try monitor.checkCancellation()
        if recorder != nil { pendingCall = (latents, timesteps) }
        return try base.networkOutputs(latents, timesteps: timesteps, items: items)
    }

    func combining(_ networkOutputs: Tensor) throws -> Tensor {
        let output = try base.combining(networkOutputs)
        if let recorder, let call = pendingCall {
            recorder.record(ModelCall(latents: call.latents, timesteps: call.timesteps, output: output))
        }
        return output
    }
}
