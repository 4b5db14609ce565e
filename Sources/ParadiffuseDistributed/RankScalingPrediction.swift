/// Predicted latency of one parallel-sampling iteration on `ranks` ranks splitting the window's latents
/// (`BatchSplit.window`): the slowest rank's model time (the largest slice, `⌈latents / ranks⌉` latents with each
/// of their guidance branches, measured) plus one all-gather of every latent's output (modelled by
/// `AllGatherCost`). The samplers' own arithmetic, the same on every rank, is left out.
public struct RankScalingPrediction: Sendable, Equatable {
    public let ranks: Int
    /// Network items (latents × branches) the slowest rank evaluates.
    public let sliceItems: Int
    public let modelSeconds: Double
    public let allGatherSeconds: Double

    public var iterationSeconds: Double { modelSeconds + allGatherSeconds }

    /// - Parameters:
    ///   - latents: latents per iteration (window × images).
    ///   - branches: network evaluations per latent (2 with classifier-free guidance).
    ///   - outputBytes: bytes of one latent's denoiser output.
    ///   - sliceSeconds: measured model seconds for a batch of the given number of network items.
    public init(ranks: Int, latents: Int, branches: Int, outputBytes: Int, allGather: AllGatherCost,
                sliceSeconds: (Int) throws -> Double) rethrows {
        self.ranks = ranks
        sliceItems = (latents + ranks - 1) / ranks * branches
        modelSeconds = try sliceSeconds(sliceItems)
        allGatherSeconds = allGather.seconds(bytes: latents * outputBytes, ranks: ranks)
    }
}
