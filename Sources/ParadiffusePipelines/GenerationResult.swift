import Foundation
import ParadiffuseTensors

/// What one generation made: the images, each with the parameters that re-make it, and what sampling cost.
public struct GenerationResult: Sendable {
    public var images: [RGBImage]
    /// The parameters of each image, in the order of `images` (the PNG `parameters` text of A1111's web UI).
    public var parameters: [GenerationParameters]
    /// The final latents `[N, C, h, w]` (for pixel-space models, the samples in [-1, 1]).
    public var latents: Tensor
    /// The timesteps sampled, in order.
    public var timesteps: [Int]
    /// The latents before each step and after the last, when the request keeps the trajectory.
    public var trajectory: [Tensor]?
    public var report: SamplingReport
    /// What the caller should know, e.g. prompts cut at the text encoder's length.
    public var warnings: [String]

    public init(images: [RGBImage], parameters: [GenerationParameters], latents: Tensor, timesteps: [Int],
                trajectory: [Tensor]?, report: SamplingReport, warnings: [String] = []) {
        self.images = images
        self.parameters = parameters
        self.latents = latents
        self.timesteps = timesteps
        self.trajectory = trajectory
        self.report = report
        self.warnings = warnings
    }

    /// Each image as PNG data carrying its parameters.
    public func pngData() throws -> [Data] {
        try zip(images, parameters).map { image, parameters in try image.pngData(textChunks: parameters.pngTextChunks) }
    }
}
