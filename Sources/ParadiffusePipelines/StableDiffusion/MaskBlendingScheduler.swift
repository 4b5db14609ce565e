import ParadiffuseModels
import ParadiffuseSchedulers
import ParadiffuseTensors

/// Inpainting with an ordinary (4-channel) UNet, as diffusers' StableDiffusionInpaintPipeline does it: after each
/// step, the latents outside the mask are replaced by the original image's latents noised to the next timestep
/// (the same noise as the initial latents; not noised after the last step): `(1 − m) · x_image + m · x`.
struct MaskBlendingScheduler: Scheduler {
    private(set) var base: any Scheduler
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
        guard sample.shape == imageLatents.shape else {
            throw ModelError.invalidInput(parameter: "latents", reason:
                "shape \(sample.shape) differs from the inpainted image's latents \(imageLatents.shape)")
        }
        let stepped = try base.step(modelOutput: modelOutput, timestep: timestep, sample: sample, noise: source)
        let schedule = timesteps
        let next = schedule.firstIndex(of: timestep).flatMap { $0 + 1 < schedule.count ? schedule[$0 + 1] : nil }
        let original = try next.map { try base.addNoise(original: imageLatents, noise: noise, timesteps: [$0]) }
            ?? imageLatents
        return blend(original: original.toRowMajor(), generated: stepped.toRowMajor())
    }

    func addNoise(original: Tensor, noise: Tensor, timesteps: [Int]) throws -> Tensor {
        try base.addNoise(original: original, noise: noise, timesteps: timesteps)
    }

    private func blend(original: Tensor, generated: Tensor) -> Tensor {
        let (batch, channels) = (generated.shape[0], generated.shape[1])
        let plane = generated.shape[2] * generated.shape[3]
        let weights = mask.scalars, kept = original.scalars
        var result = generated
        result.withUnsafeMutableBufferPointer { values in
            for item in 0..<batch {
                for channel in 0..<channels {
                    for pixel in 0..<plane {
                        let index = (item * channels + channel) * plane + pixel
                        let weight = weights[item * plane + pixel]
                        values[index] = (1 - weight) * kept[index] + weight * values[index]
                    }
                }
            }
        }
        return result
    }
}
