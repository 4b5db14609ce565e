import ParadiffuseModels
import ParadiffuseSamplers
import ParadiffuseTensors

/// A DiTTransformer2DModel conditioned on one class per image, with diffusers' DiTPipeline guidance: one batched
/// call over the conditional half then the null-class half, guidance `ε = ε_null + g · (ε_class − ε_null)` on the
/// first `inChannels` output channels only, and with learned sigma only the (guided) noise prediction is returned.
/// Latent `i` of a batch belongs to image `i % imagesPerGroup`.
public final class DiTDenoiser: Denoiser {
    public let model: DiTTransformer2DModel
    /// One class per image.
    public let classLabels: [Int]
    /// Classifier-free guidance scale; at most 1 runs the model once per latent, without guidance.
    public let guidanceScale: Float

    public var imagesPerGroup: Int { classLabels.count }

    public init(model: DiTTransformer2DModel, classLabels: [Int], guidanceScale: Float) throws {
        guard !classLabels.isEmpty else {
            throw ModelError.invalidInput(parameter: "class labels", reason: "give at least one class")
        }
        for label in classLabels where !(0..<model.configuration.classCount).contains(label) {
            throw ModelError.invalidInput(parameter: "class labels", reason:
                "class \(label) is outside the model's classes 0..<\(model.configuration.classCount)")
        }
        self.model = model
        self.classLabels = classLabels
        self.guidanceScale = guidanceScale
    }

    public var guides: Bool { guidanceScale > 1 }

    public func denoise(_ latents: Tensor, timesteps: [Float]) throws -> Tensor {
        let count = latents.batchSize
        guard count % imagesPerGroup == 0 else {
            throw ModelError.invalidInput(parameter: "latents", reason:
                "a batch of \(count) is not a multiple of the \(imagesPerGroup) images generated together")
        }
        let labels = (0..<count).map { classLabels[$0 % imagesPerGroup] }
        let configuration = model.configuration
        let noiseChannels = configuration.inChannels
        let prediction: Tensor
        if guides {
            let both = try model(Tensor.concatenatingBatches([latents, latents]), timesteps: timesteps + timesteps,
                                 classLabels: labels + Array(repeating: configuration.nullClass, count: count))
            let conditional = both.batchItems(0..<count), unconditional = both.batchItems(count..<2 * count)
            let guided = unconditional.channels(0..<noiseChannels).zipMap(conditional.channels(0..<noiseChannels)) {
                null, classed in null + guidanceScale * (classed - null)
            }
            prediction = configuration.outputChannels == noiseChannels ? guided
                : try Tensor.concatenatingChannels([guided, conditional.channels(noiseChannels..<configuration.outputChannels)])
        } else {
            prediction = try model(latents, timesteps: timesteps, classLabels: labels)
        }
        return configuration.learnsSigma ? prediction.channels(0..<noiseChannels) : prediction
    }
}

extension Tensor {
    /// Channels `range` of a row-major `[N, C, H, W]` tensor.
    func channels(_ range: Range<Int>) -> Tensor {
        let (batch, channels, plane) = (shape[0], shape[1], shape[2] * shape[3])
        if range == 0..<channels { return self }
        var result = Tensor(uninitializedShape: [batch, range.count, shape[2], shape[3]])
        withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                for item in 0..<batch {
                    let from = (item * channels + range.lowerBound) * plane, to = item * range.count * plane
                    for index in 0..<range.count * plane { target[to + index] = source[from + index] }
                }
            }
        }
        return result
    }
}
