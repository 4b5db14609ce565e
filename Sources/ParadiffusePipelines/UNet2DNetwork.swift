import ParadiffuseModels
import ParadiffuseTensors

/// A UNet2DModel as a conditioned network: unconditional, or conditioned on one class per image, the
/// unconditional branch taking the null class.
public final class UNet2DNetwork: ConditionedNetwork {
    public let model: UNet2DModel
    /// One class per image, or nil for an unconditional model.
    public let classLabels: [Int]?
    /// The class of the unconditional branch, or nil when there is no guidance.
    public let nullClass: Int?
    public let imagesPerGroup: Int

    public init(model: UNet2DModel, images: Int, classLabels: [Int]?, nullClass: Int? = nil) throws {
        if let classLabels, classLabels.count != images {
            throw ModelError.invalidInput(parameter: "class labels", reason: "\(classLabels.count) labels for \(images) images")
        }
        if nullClass != nil, classLabels == nil {
            throw ModelError.invalidInput(parameter: "guidance", reason: "classifier-free guidance needs a class-conditional model and a class")
        }
        self.model = model
        self.imagesPerGroup = images
        self.classLabels = classLabels
        self.nullClass = nullClass
    }

    public func outputs(_ latents: Tensor, timesteps: [Float], images: [Int], branches: [GuidanceBranch]) throws -> Tensor {
        guard let classLabels else { return try model(latents, timesteps: timesteps) }
        let labels = zip(images, branches).map { image, branch in
            branch == .conditional ? classLabels[image] : nullClass ?? 0
        }
        return try model(latents, timesteps: timesteps, classLabels: labels)
    }
}
