import ParadiffuseModels
import ParadiffuseTensors

/// A DiTTransformer2DModel as a conditioned network, as diffusers' DiTPipeline uses it: one class per image, the
/// null class on the unconditional branch; guidance mixes the first `inChannels` output channels only, and with
/// learned σ only the noise prediction goes to the scheduler.
public final class DiTNetwork: ConditionedNetwork {
    public let model: DiTTransformer2DModel
    /// One class per image.
    public let classLabels: [Int]

    public var imagesPerGroup: Int { classLabels.count }

    public init(model: DiTTransformer2DModel, classLabels: [Int]) throws {
        guard !classLabels.isEmpty else {
            throw ModelError.invalidInput(parameter: "class labels", reason: "give at least one class")
        }
        for label in classLabels where !(0..<model.configuration.classCount).contains(label) {
            throw ModelError.invalidInput(parameter: "class labels", reason:
                "class \(label) is outside the model's classes 0..<\(model.configuration.classCount)")
        }
        self.model = model
        self.classLabels = classLabels
    }

    public var guidedChannels: Int? { model.configuration.inChannels }

    public func outputs(_ latents: Tensor, timesteps: [Float], images: [Int], branches: [GuidanceBranch]) throws -> Tensor {
        let labels = zip(images, branches).map { image, branch in
            branch == .conditional ? classLabels[image] : model.configuration.nullClass
        }
        return try model(latents, timesteps: timesteps, classLabels: labels)
    }

    public func prediction(_ output: Tensor) -> Tensor {
        let configuration = model.configuration
        return configuration.learnsSigma ? output.channels(0..<configuration.inChannels) : output
    }
}
