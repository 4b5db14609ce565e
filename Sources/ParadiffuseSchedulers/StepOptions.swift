/// Sampling knobs that diffusers passes to `step` rather than keeping in `scheduler_config.json`.
public struct StepOptions: Sendable, Equatable {
    /// DDIM's η, the weight of the noise each step adds: 0 is deterministic DDIM, 1 the DDPM posterior variance.
    public var eta: Double
    /// DDIM: derive the noise prediction again from the clipped or thresholded x₀.
    public var useClippedModelOutput: Bool

    public init(eta: Double = 0, useClippedModelOutput: Bool = false) {
        self.eta = eta
        self.useClippedModelOutput = useClippedModelOutput
    }
}
