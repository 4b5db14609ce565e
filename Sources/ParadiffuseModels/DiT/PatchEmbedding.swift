import ParadiffuseTensors

/// diffusers' `PatchEmbed` as DiT uses it: a `patch`x`patch` convolution with stride `patch` turns latents into one
/// token per patch, plus a fixed 2-D sin-cos position embedding. Inputs of another (square) size than the training
/// one get the table recomputed for their grid, relative to the training grid (`base_size`), as diffusers does.
/// Patches do not overlap, so the convolution runs as a linear layer over the flattened patches, with the position
/// table added in float32 to its float32 output (fused into the matmul).
struct PatchEmbedding {
    /// The convolution's weight `[width, C, p, p]` read as `[width, C·p·p]`.
    let projection: Linear
    let patchSize: Int
    let positions: SinCosPositionTable

    init(_ weights: ModelWeights, inChannels: Int, width: Int, patchSize: Int, sampleSize: Int) throws {
        let convolution = weights.scoped("proj")
        let kernel = try convolution.layerWeight("weight", shape: [width, inChannels, patchSize, patchSize])
        projection = try Linear(weight: kernel.reshaped([width, inChannels * patchSize * patchSize]),
                                bias: convolution.tensor("bias", shape: [width]), inputDType: weights.precision.dtype)
        self.patchSize = patchSize
        positions = SinCosPositionTable(width: width, baseSize: sampleSize / patchSize)
    }

    /// Row-major float32 latents `[N, C, H, W]` (square, sides divisible by the patch size) to float32 tokens
    /// `[N, (H/p)², width]`.
    func callAsFunction(_ latents: Tensor) -> Tensor {
        let side = latents.shape[2] / patchSize
        let table = positions(side: side).reshaped([1, side * side, positions.width]).repeatingBatch(latents.batchSize)
        return projection(latents.patchified(patchSize: patchSize).converted(to: projection.inputDType),
                          adding: table, as: .float32)
    }
}
