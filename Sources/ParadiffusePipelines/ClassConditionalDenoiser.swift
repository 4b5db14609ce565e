import ParadiffuseModels
import ParadiffuseSamplers
import ParadiffuseTensors

/// A UNet2DModel as a denoiser: unconditional, or conditioned on one class per image with optional
/// classifier-free guidance against a null class (`ε = ε_null + g · (ε_class − ε_null)`, one batched call).
public final class UNet2DDenoiser: BranchedDenoiser {
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

    public var branchCount: Int { guidance == nil ? 1 : 2 }

    /// Branch 0 is each image's class (or the unconditional model), branch 1 the null class.
    public func networkOutputs(_ latents: Tensor, timesteps: [Float], items: Range<Int>) throws -> Tensor {
        let count = latents.batchSize
        let pieces = latentRanges(of: items, batchSize: count)
        let input = Tensor.concatenatingBatches(pieces.map { latents.batchItems($0.latents) })
        let itemTimesteps = pieces.flatMap { timesteps[$0.latents] }
        guard let classLabels else { return try model(input, timesteps: itemTimesteps) }
        let labels = pieces.flatMap { piece in
            piece.latents.map { piece.branch == 0 ? classLabels[$0 % imagesPerGroup] : guidance?.nullClass ?? 0 }
        }
        return try model(input, timesteps: itemTimesteps, classLabels: labels)
    }

    /// `ε = ε_null + g · (ε_class − ε_null)` with guidance, the network's output without.
    public func combining(_ networkOutputs: Tensor) throws -> Tensor {
        guard let guidance else { return networkOutputs }
        let count = networkOutputs.batchSize / 2
        let conditional = networkOutputs.batchItems(0..<count), unconditional = networkOutputs.batchItems(count..<2 * count)
        return unconditional.zipMap(conditional) { null, classed in null + guidance.scale * (classed - null) }
    }
}
