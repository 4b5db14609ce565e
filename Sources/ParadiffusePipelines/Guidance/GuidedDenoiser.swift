import ParadiffuseModels
import ParadiffuseSamplers
import ParadiffuseTensors

/// A conditioned network as a sampler's denoiser, with classifier-free guidance when `guidance` is set: both
/// predictions of every latent in one batched call, in the pipeline's branch order, then combined. As a
/// `BranchedDenoiser` its network work can be divided by guidance branch as well as by latent (`--split cfg`).
public final class GuidedDenoiser<Network: ConditionedNetwork>: BranchedDenoiser {
    public let network: Network
    public let guidance: ClassifierFreeGuidance?

    public init(network: Network, guidance: ClassifierFreeGuidance?) {
        self.network = network
        self.guidance = guidance
    }

    public var imagesPerGroup: Int { network.imagesPerGroup }

    public var branchCount: Int { guidance == nil ? 1 : 2 }

    public func networkOutputs(_ latents: Tensor, timesteps: [Float], items: Range<Int>) throws -> Tensor {
        let count = latents.batchSize
        guard count % imagesPerGroup == 0 else {
            throw ModelError.invalidInput(parameter: "latents", reason:
                "a batch of \(count) is not a multiple of the \(imagesPerGroup) images generated together")
        }
        let pieces = latentRanges(of: items, batchSize: count)
        let branches = pieces.flatMap { piece in
            Array(repeating: guidance?.branch(piece.branch) ?? .conditional, count: piece.latents.count)
        }
        return try network.outputs(Tensor.concatenatingBatches(pieces.map { latents.batchItems($0.latents) }),
                                   timesteps: pieces.flatMap { timesteps[$0.latents] },
                                   images: pieces.flatMap { $0.latents.map { $0 % imagesPerGroup } },
                                   branches: branches)
    }

    public func combining(_ networkOutputs: Tensor) throws -> Tensor {
        guard let guidance else { return network.prediction(networkOutputs) }
        return network.prediction(try guidance.guided(networkOutputs, guidedChannels: network.guidedChannels))
    }
}
