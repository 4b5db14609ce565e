import ParadiffuseTensors

/// A denoiser whose output combines, per latent, several network evaluations ("branches": classifier-free
/// guidance's conditional and unconditional predictions), so that a batch's network work can be divided by
/// evaluation as well as by latent. For a batch of `B` latents, network item `n` is latent `n % B` on branch `n / B`.
public protocol BranchedDenoiser: Denoiser {
    /// Network evaluations per latent (2 with classifier-free guidance, 1 without).
    var branchCount: Int { get }

    /// The network's outputs for network items `items` of the batch `latents` (all `B` of them), in one call.
    func networkOutputs(_ latents: Tensor, timesteps: [Float], items: Range<Int>) throws -> Tensor

    /// The denoiser's output `[B, ...]` from the outputs of every network item (`branchCount · B`, in item order).
    func combining(_ networkOutputs: Tensor) throws -> Tensor
}

extension BranchedDenoiser {
    public func denoise(_ latents: Tensor, timesteps: [Float]) throws -> Tensor {
        try combining(networkOutputs(latents, timesteps: timesteps, items: 0..<branchCount * latents.batchSize))
    }

    /// For network items `items` of a batch of `batchSize` latents: per branch, the latents it covers.
    public func latentRanges(of items: Range<Int>, batchSize: Int) -> [(branch: Int, latents: Range<Int>)] {
        (0..<branchCount).compactMap { branch in
            let covered = items.clamped(to: branch * batchSize..<(branch + 1) * batchSize)
            guard !covered.isEmpty else { return nil }
            return (branch, covered.lowerBound - branch * batchSize..<covered.upperBound - branch * batchSize)
        }
    }
}
