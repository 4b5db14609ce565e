import ParadiffuseTensors

extension Denoiser {
    /// `denoise`, stopping the sampling with `NonFiniteModelOutput` at the first model output holding NaN or
    /// infinity: every later step would only carry it into a black or empty image.
    func denoiseFinite(_ latents: Tensor, timesteps: [Float]) throws -> Tensor {
        let output = try denoise(latents, timesteps: timesteps)
        guard output.isAllFinite else {
            throw NonFiniteModelOutput(inputWasFinite: latents.isAllFinite, timesteps: timesteps)
        }
        return output
    }
}

/// The model gave NaN or infinity; the message names the likely cause.
public struct NonFiniteModelOutput: Error, Equatable, DescribedError {
    /// Whether the model's input was finite: if so, the model itself (its weights) made the non-finite values.
    public let inputWasFinite: Bool
    public let timesteps: [Float]

    public var description: String {
        let at = Set(timesteps).count == 1 ? "timestep \(timesteps[0])" : "timesteps \(timesteps.min() ?? 0)…\(timesteps.max() ?? 0)"
        let cause = inputWasFinite
            ? "its weights probably hold NaN or infinity (or values so large that float arithmetic overflows)"
            : "its input already did: the scheduler's configuration (betas, sigmas) or the initial latents are not finite"
        return "the model's output holds NaN or infinity at \(at): \(cause); stopped before writing any image"
    }
}
