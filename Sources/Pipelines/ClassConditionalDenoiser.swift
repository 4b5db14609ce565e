import Models
import Samplers
import Tensors

/// A UNet2DModel as a denoiser: unconditional, or conditioned on one class per image with optional
/// classifier-free guidance against a null class (`ε = ε_null + g · (ε_class − ε_null)`, one batched call).
public final class UNet2DDenoiser: Denoiser {
    public let model: UNet2DModel
    /// One class per image, or nil for an unconditional model.
    public let classLabels: [Int]?
    public let guidance: Guidance?
    public let imagesPerGroup: Int

    public struct Guidance: Sendable {
        public let scale: Float
        public let nullClass: Int
        public init(scale: Float, nullClass: Int) {
            self.scale = scale
            self.nullClass = nullClass
        }
    }

    public init(model: UNet2DModel, images: Int, classLabels: [Int]?, guidance: Guidance?) throws {
        if let classLabels, classLabels.count != images {
            throw ModelError.invalidInput(parameter: "class labels", reason: "\(classLabels.count) labels for \(images) images")
        }
        if guidance != nil, classLabels == nil {
            throw ModelError.invalidInput(parameter: "guidance", reason: "classifier-free guidance needs a class-conditional model and a class")
        }
        self.model = model
        self.imagesPerGroup = images
        self.classLabels = classLabels
        self.guidance = guidance
    }

    public func denoise(_ latents: Tensor, timesteps: [Float]) throws -> Tensor {
        let labels = classLabels.map { labels in (0..<latents.batchSize).map { labels[$0 % imagesPerGroup] } }
        guard let guidance, let labels else {
            return try model(latents, timesteps: timesteps, classLabels: labels)
        }
        let count = latents.batchSize
        let both = try model(Tensor.concatenatingBatches([latents, latents]), timesteps: timesteps + timesteps,
                             classLabels: labels + Array(repeating: guidance.nullClass, count: count))
        let conditional = both.batchItems(0..<count), unconditional = both.batchItems(count..<2 * count)
        return unconditional.zipMap(conditional) { null, classed in null + guidance.scale * (classed - null) }
    }
}
