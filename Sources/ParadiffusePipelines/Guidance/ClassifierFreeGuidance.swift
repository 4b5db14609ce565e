import ParadiffuseTensors

/// Classifier-free guidance (Ho & Salimans 2022) as diffusers' pipelines compute it:
/// `ε = ε_uncond + g · (ε_cond − ε_uncond)` on the guided channels, the conditional prediction's other channels
/// kept, then optionally `guidance_rescale` (Lin et al. 2023).
public struct ClassifierFreeGuidance: Sendable, Equatable {
    /// The order of the two halves of the network batch, which is each diffusers pipeline's own.
    public enum BranchOrder: Sendable, Equatable {
        /// Stable Diffusion: the negative prompts' half first.
        case unconditionalFirst
        /// UNet2DModel and DiT: the classes' half first, then the null class's.
        case conditionalFirst
    }

    /// The guidance scale g.
    public let scale: Float
    /// diffusers' `guidance_rescale` φ: 0 leaves the guided prediction as is.
    public let rescale: Float
    public let order: BranchOrder

    public init(scale: Float, rescale: Float = 0, order: BranchOrder) {
        self.scale = scale
        self.rescale = rescale
        self.order = order
    }

    /// The guidance branch evaluated in half `index` of the network batch.
    func branch(_ index: Int) -> GuidanceBranch {
        (index == 0) == (order == .conditionalFirst) ? .conditional : .unconditional
    }

    /// The guided prediction from the network's two halves `[2B, C, H, W]` (row-major), mixing the first
    /// `guidedChannels` channels (all when nil).
    func guided(_ networkOutputs: Tensor, guidedChannels: Int?) throws -> Tensor {
        let count = networkOutputs.batchSize / 2
        let first = networkOutputs.batchItems(0..<count), second = networkOutputs.batchItems(count..<2 * count)
        let (conditional, unconditional) = order == .conditionalFirst ? (first, second) : (second, first)
        let channels = conditional.shape[1]
        let mixed = min(guidedChannels ?? channels, channels)
        let scale = scale
        let guided = unconditional.channels(0..<mixed).zipMap(conditional.channels(0..<mixed)) { uncond, cond in
            uncond + scale * (cond - uncond)
        }
        let whole = mixed == channels ? guided
            : try Tensor.concatenatingChannels([guided, conditional.channels(mixed..<channels)])
        guard rescale > 0 else { return whole }
        return rescaledGuidance(whole, textPrediction: conditional, rescale: rescale)
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
