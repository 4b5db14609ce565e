import Tensors

/// diffusers' `PatchEmbed` as DiT uses it: a `patch`x`patch` convolution with stride `patch` turns latents into one
/// token per patch, plus a fixed 2-D sin-cos position embedding. Inputs of another (square) size than the training
/// one get the table recomputed for their grid, relative to the training grid (`base_size`), as diffusers does.
struct PatchEmbedding {
    let projection: Convolution2D
    let patchSize: Int
    let width: Int
    /// The training grid's side in patches (`base_size`).
    let baseSize: Int
    /// `[baseSize², width]`.
    let trainingTable: Tensor

    init(_ weights: ModelWeights, inChannels: Int, width: Int, patchSize: Int, sampleSize: Int) throws {
        projection = try Convolution2D(weights.scoped("proj"), input: inChannels, output: width, kernel: patchSize,
                                       stride: patchSize)
        self.patchSize = patchSize
        self.width = width
        baseSize = sampleSize / patchSize
        trainingTable = sinCosPositionEmbedding(width: width, side: baseSize, baseSize: baseSize)
    }

    func positionTable(side: Int) -> Tensor {
        side == baseSize ? trainingTable : sinCosPositionEmbedding(width: width, side: side, baseSize: baseSize)
    }

    /// Latents channels-last `[N, C, H, W]` (square, sides divisible by the patch size) to tokens `[N, (H/p)², width]`:
    /// the convolution with its bias, then the position table added (fused into the convolution).
    func callAsFunction(_ latents: Tensor) -> Tensor {
        let side = latents.shape[2] / patchSize
        let positions = positionTable(side: side).reshaped([1, side * side, width]).repeatingBatch(latents.batchSize)
        return projection(latents, adding: positions.tokensAsChannelsLast(height: side, width: side))
            .channelsLastAsTokens()
    }
}
