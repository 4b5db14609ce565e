import ParadiffuseModels
import ParadiffuseSchedulers
import ParadiffuseTensors

/// Inpainting with an ordinary (4-channel) UNet, as diffusers' StableDiffusionInpaintPipeline does it: after each
/// step, the latents outside the mask are replaced by the original image's latents noised to the next timestep
/// (the same noise as the initial latents; not noised after the last step): `(1 − m) · x_image + m · x`.
/// Over a deterministic `ParallelScheduler` it is one too (the blend is part of each noise-free transition), so
/// that ParaDiGMS and ParaTAA inpaint.
struct MaskBlendingScheduler<Base: Scheduler>: Scheduler {
    private(set) var base: Base
    /// `[B, C, h, w]`: the encoded image, one per latent.
    let imageLatents: Tensor
    /// `[B, C, h, w]`: the noise the initial latents were made with.
    let noise: Tensor
    /// `[B, 1, h, w]`, 1 where the image is repainted.
    let mask: Tensor

    var timesteps: [Int] { base.timesteps }
    var initNoiseSigma: Float { base.initNoiseSigma }

    mutating func setTimesteps(_ count: Int) throws { try base.setTimesteps(count) }

    func scaleModelInput(_ sample: Tensor, timestep: Int) -> Tensor { base.scaleModelInput(sample, timestep: timestep) }

    mutating func step(modelOutput: Tensor, timestep: Int, sample: Tensor, noise source: NoiseSource) throws -> Tensor {
        try requireImageShape(sample)
        let stepped = try base.step(modelOutput: modelOutput, timestep: timestep, sample: sample, noise: source)
        return try blend(stepped, leaving: Array(repeating: timestep, count: sample.batchSize))
    }

    func addNoise(original: Tensor, noise: Tensor, timesteps: [Int]) throws -> Tensor {
        try base.addNoise(original: original, noise: noise, timesteps: timesteps)
    }

    private func requireImageShape(_ sample: Tensor) throws {
        guard sample.shape == imageLatents.shape else {
            throw ModelError.invalidInput(parameter: "latents", reason:
                "shape \(sample.shape) differs from the inpainted image's latents \(imageLatents.shape)")
        }
    }

    /// `generated` (a batch of whole groups of `B` latents, item `i` having left `timesteps[i]`) with the pixels
    /// outside the mask replaced by the image's latents noised to each item's next timestep.
    private func blend(_ generated: Tensor, leaving timesteps: [Int]) throws -> Tensor {
        let images = imageLatents.batchSize
        let schedule = self.timesteps
        let kept = try timesteps.enumerated().map { item, timestep in
            let latents = imageLatents.batchItems(item % images..<item % images + 1)
            let next = schedule.firstIndex(of: timestep).flatMap { $0 + 1 < schedule.count ? schedule[$0 + 1] : nil }
            return try next.map {
                try base.addNoise(original: latents, noise: noise.batchItems(item % images..<item % images + 1),
                                  timesteps: [$0])
            } ?? latents
        }
        let original = Tensor.concatenatingBatches(kept).toRowMajor()
        let weights = mask.scalars, keptValues = original.scalars
        let (channels, plane) = (generated.shape[1], generated.shape[2] * generated.shape[3])
        var result = generated.toRowMajor()
        result.withUnsafeMutableBufferPointer { values in
            for item in 0..<generated.batchSize {
                for channel in 0..<channels {
                    for pixel in 0..<plane {
                        let index = (item * channels + channel) * plane + pixel
                        let weight = weights[(item % images) * plane + pixel]
                        values[index] = (1 - weight) * keptValues[index] + weight * values[index]
                    }
                }
            }
        }
        return result
    }
}

extension MaskBlendingScheduler: ParallelScheduler where Base: ParallelScheduler {
    var isODE: Bool { base.isODE }

    func drawsNoise(at timestep: Int) -> Bool { base.drawsNoise(at: timestep) }

    /// The noise a stochastic step adds would be blended away outside the mask, which a scale cannot say: only
    /// deterministic schedulers inpaint in parallel.
    func noiseScale(at timestep: Int) throws -> Float {
        try requireODE()
        return try base.noiseScale(at: timestep)
    }

    func posteriorStandardDeviation(at timestep: Int) throws -> Float { try base.posteriorStandardDeviation(at: timestep) }

    func transitionWithoutNoise(modelOutput: Tensor, sample: Tensor, timesteps: [Int]) throws -> Tensor {
        try requireODE()
        let itemTimesteps = try timestepsPerItem(timesteps, batchSize: sample.batchSize, scheduler: "inpainting")
        return try blend(base.transitionWithoutNoise(modelOutput: modelOutput, sample: sample, timesteps: timesteps),
                         leaving: itemTimesteps)
    }

    var lookback: Int { base.lookback }

    func transitionsWithoutNoise(steps: Range<Int>, samples: [Tensor], modelOutputs: [Tensor],
                                 earlier: [EvaluatedStep]) throws -> [Tensor] {
        try requireODE()
        let transitions = try base.transitionsWithoutNoise(steps: steps, samples: samples, modelOutputs: modelOutputs,
                                                           earlier: earlier)
        return try zip(steps, transitions).map { step, transition in
            try blend(transition, leaving: Array(repeating: timesteps[step], count: transition.batchSize))
        }
    }

    private func requireODE() throws {
        guard base.isODE else {
            throw SchedulerError.invalidParameter(scheduler: "inpainting", parameter: "scheduler", reason:
                "must be deterministic (ddim with eta 0, dpm-solver, euler) for parallel sampling with a UNet that "
                + "is not an inpainting UNet: the noise of a stochastic step is blended away outside the mask")
        }
    }
}

/// `base` blending the image back outside the mask after each step, a `ParallelScheduler` when `base` is one.
func blending(_ base: some Scheduler, imageLatents: Tensor, noise: Tensor, mask: Tensor) -> any Scheduler {
    MaskBlendingScheduler(base: base, imageLatents: imageLatents, noise: noise, mask: mask)
}
