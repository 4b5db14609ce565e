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
    let width: Int
    /// The training grid's side in patches (`base_size`).
    let baseSize: Int
    /// `[baseSize², width]`.
    let trainingTable: Tensor

    init(_ weights: ModelWeights, inChannels: Int, width: Int, patchSize: Int, sampleSize: Int) throws {
        let convolution = weights.scoped("proj")
        let kernel = try convolution.layerWeight("weight", shape: [width, inChannels, patchSize, patchSize])
        projection = try Linear(weight: kernel.reshaped([width, inChannels * patchSize * patchSize]),
                                bias: convolution.tensor("bias", shape: [width]), inputDType: weights.precision.dtype)
        self.patchSize = patchSize
        self.width = width
        baseSize = sampleSize / patchSize
        trainingTable = sinCosPositionEmbedding(width: width, side: baseSize, baseSize: baseSize)
    }

    func positionTable(side: Int) -> Tensor {
        side == baseSize ? trainingTable : sinCosPositionEmbedding(width: width, side: side, baseSize: baseSize)
    }

    /// Row-major float32 latents `[N, C, H, W]` (square, sides divisible by the patch size) to float32 tokens
    /// `[N, (H/p)², width]`.
    func callAsFunction(_ latents: Tensor) -> Tensor {
        let side = latents.shape[2] / patchSize
        let positions = positionTable(side: side).reshaped([1, side * side, width]).repeatingBatch(latents.batchSize)
        return projection(latents.patchified(patchSize: patchSize).converted(to: projection.inputDType),
                          adding: positions, as: .float32)
    }
}

extension Tensor {
    /// Row-major images `[N, C, s·p, s·p]` to patches `[N, s², C·p·p]`: token `r·s + c` holds the patch at row `r`,
    /// column `c`, its values ordered by channel, then row and column inside the patch (as a convolution weight).
    func patchified(patchSize patch: Int) -> Tensor {
        let (batch, channels, size) = (shape[0], shape[1], shape[2])
        let side = size / patch
        var result = Tensor(uninitializedShape: [batch, side * side, channels * patch * patch])
        withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                var index = 0
                for item in 0..<batch {
                    for row in 0..<side {
                        for column in 0..<side {
                            for channel in 0..<channels {
                                for patchRow in 0..<patch {
                                    for patchColumn in 0..<patch {
                                        let y = row * patch + patchRow, x = column * patch + patchColumn
                                        target[index] = source[((item * channels + channel) * size + y) * size + x]
                                        index += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return result
    }
}
