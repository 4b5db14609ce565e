import ParadiffuseSchedulers
import ParadiffuseTensors

extension ParallelScheduler {
    /// The noise-free steps of the window `steps` from its latents, with one denoiser call for the whole window
    /// (consecutive groups of `imagesPerGroup` latents, one group per step), and the model outputs of the call.
    /// `earlier` are the evaluated steps just before the window that a multistep scheduler looks back on.
    func noiseFreeSteps(from latents: [Tensor], steps: Range<Int>, earlier: [EvaluatedStep],
                        denoiser: Denoiser) throws -> (transitions: [Tensor], modelOutputs: [Tensor]) {
        let images = denoiser.imagesPerGroup
        let stepTimesteps = steps.map { timesteps[$0] }
        let modelInput = Tensor.concatenatingBatches(zip(latents, stepTimesteps).map {
            scaleModelInput($0, timestep: $1)
        })
        let itemTimesteps = stepTimesteps.flatMap { Array(repeating: modelTimestep(at: $0), count: images) }
        let modelOutput = try denoiser.denoiseFinite(modelInput, timesteps: itemTimesteps)
        let modelOutputs = latents.indices.map { modelOutput.batchItems($0 * images..<($0 + 1) * images) }
        let transitions = try transitionsWithoutNoise(steps: steps, samples: latents, modelOutputs: modelOutputs,
                                                      earlier: earlier)
        return (transitions, modelOutputs)
    }
}
