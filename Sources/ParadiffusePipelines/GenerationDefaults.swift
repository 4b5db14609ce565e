/// What a text- or class-conditioned latent pipeline runs with when a request leaves it open, as diffusers' do.
public struct GenerationDefaults: Sendable, Equatable {
    public var steps: Int
    /// Classifier-free guidance scale (1: none).
    public var guidance: Float

    public init(steps: Int, guidance: Float) {
        self.steps = steps
        self.guidance = guidance
    }

    /// StableDiffusionPipeline and its image-to-image and inpainting forms.
    public static let stableDiffusion = GenerationDefaults(steps: 50, guidance: 7.5)
    /// LatentConsistencyModelPipeline.
    public static let latentConsistency = GenerationDefaults(steps: 4, guidance: 8.5)
    /// DiTPipeline.
    public static let diT = GenerationDefaults(steps: 50, guidance: 4)
}
