import ParadiffuseLoading
import ParadiffuseSchedulers
import ParadiffuseTensors

/// The clean sample x̂₀ that a model call predicts, for previews (the A1111 web UI's and ComfyUI's "denoised"
/// preview): every scheduler hands the model variance-preserving latents `√ᾱ_t·x₀ + √(1 − ᾱ_t)·ε` (σ-based ones
/// after `scaleModelInput`), so x̂₀ follows from the model output and ᾱ of the training timestep nearest to the
/// model's (fractional) timestep, whatever the scheduler.
struct DenoisedEstimate: Sendable {
    /// ᾱ_t of every training timestep.
    let alphasCumprod: [Float]
    let prediction: PredictionType

    /// The training schedule and prediction type of a folder's `scheduler_config.json` (diffusers' defaults
    /// without one); nil when the file describes a schedule DDPM cannot build.
    init?(schedulerConfig: JSONConfig?) {
        guard let scheduler = try? schedulerConfig.map({ try DDPMScheduler(config: $0) }) ?? DDPMScheduler() else {
            return nil
        }
        alphasCumprod = scheduler.noiseSchedule.alphasCumprod
        prediction = scheduler.configuration.predictionType
    }

    /// x̂₀ of the group of `imagesPerGroup` latents in `call` at its smallest timestep (the furthest a parallel
    /// window has come), or nil when the call's shapes do not allow it.
    func denoised(_ call: ModelCall, imagesPerGroup: Int) -> Tensor? {
        let count = call.latents.batchSize
        guard imagesPerGroup > 0, count % imagesPerGroup == 0, call.timesteps.count == count,
              call.output.shape == call.latents.shape,
              let group = (0..<count / imagesPerGroup).min(by: {
                  call.timesteps[$0 * imagesPerGroup] < call.timesteps[$1 * imagesPerGroup]
              }) else { return nil }
        let items = group * imagesPerGroup..<(group + 1) * imagesPerGroup
        let alpha = alphaCumprod(at: call.timesteps[items.lowerBound])
        let signal = Array(repeating: alpha.squareRoot(), count: items.count)
        let noise = Array(repeating: (1 - alpha).squareRoot(), count: items.count)
        return prediction.predictedOriginalSample(modelOutput: call.output.batchItems(items).toRowMajor(),
                                                  sample: call.latents.batchItems(items).toRowMajor(),
                                                  signalScales: signal, noiseScales: noise)
    }

    /// ᾱ at the training timestep nearest `timestep`, kept from 0 so the division by √ᾱ stays finite.
    private func alphaCumprod(at timestep: Float) -> Float {
        let last = alphasCumprod.count - 1
        let index = timestep.isFinite ? min(max(Int(timestep.rounded()), 0), last) : last
        return max(alphasCumprod[index], 1e-8)
    }
}

/// One model call: the latents and timesteps a denoiser was given and what it returned.
struct ModelCall: Sendable {
    let latents: Tensor
    let timesteps: [Float]
    let output: Tensor
}
