import Schedulers
import Tensors

extension ParallelScheduler {
    /// The noise-free step from each latent batch at its own timestep, with one denoiser call for the whole window
    /// (consecutive groups of `imagesPerGroup` latents, one group per timestep).
    func noiseFreeSteps(from latents: [Tensor], at timesteps: [Int], denoiser: Denoiser) throws -> [Tensor] {
        let images = denoiser.imagesPerGroup
        let modelInput = Tensor.concatenatingBatches(zip(latents, timesteps).map { scaleModelInput($0, timestep: $1) })
        let itemTimesteps = timesteps.flatMap { Array(repeating: $0, count: images) }
        let modelOutput = try denoiser.denoise(modelInput, timesteps: itemTimesteps.map(modelTimestep(at:)))
        let steps = try transitionWithoutNoise(modelOutput: modelOutput, sample: Tensor.concatenatingBatches(latents),
                                               timesteps: itemTimesteps)
        return latents.indices.map { steps.batchItems($0 * images..<($0 + 1) * images) }
    }
}
