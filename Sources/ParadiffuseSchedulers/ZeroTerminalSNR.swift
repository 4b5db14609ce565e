/// Rescales betas so the last timestep has zero signal-to-noise ratio (Lin et al. 2023, "Common Diffusion Noise
/// Schedules and Sample Steps are Flawed", Algorithm 1), in float32 as diffusers does.
enum ZeroTerminalSNR {
    static func rescale(_ betas: [Float]) -> [Float] {
        let alphasCumprod = TorchScheduleMath.cumulativeProduct(betas.map { 1 - $0 })
        var roots = alphasCumprod.map { $0.squareRoot() }
        let first = roots[0], last = roots[roots.count - 1]
        let scale = first / (first - last)
        roots = roots.map { ($0 - last) * scale }
        let rescaledCumprod = roots.map { $0 * $0 }
        let alphas = rescaledCumprod.indices.map { index in
            index == 0 ? rescaledCumprod[0] : rescaledCumprod[index] / rescaledCumprod[index - 1]
        }
        return alphas.map { 1 - $0 }
    }
}
