import Foundation
import ParadiffuseTensors

/// diffusers' `get_2d_sincos_pos_embed` for a square grid of `side`x`side` patches: `[side², width]`, token
/// `r·side + c`. The first half of each row encodes the column, the second half the row, each as
/// `[sin(p·ω), cos(p·ω)]` with `ω_k = 1 / 10000^(k / (width/4))`. Positions are scaled to the training grid,
/// `p = index / (side / baseSize) / interpolationScale` in float32; sines and cosines are taken in float64.
func sinCosPositionEmbedding(width: Int, side: Int, baseSize: Int, interpolationScale: Float = 1) -> Tensor {
    precondition(width % 4 == 0, "a 2-D sin-cos embedding needs a width divisible by 4, got \(width)")
    let quarter = width / 4
    let frequencies = (0..<quarter).map { 1 / pow(10000, Double($0) / Double(quarter)) }
    let stride = Float(Double(side) / Double(baseSize))
    let positions = (0..<side).map { Double(Float($0) / stride / interpolationScale) }
    var values = [Float](repeating: 0, count: side * side * width)
    for row in 0..<side {
        for column in 0..<side {
            for (half, position) in [positions[column], positions[row]].enumerated() {
                let base = (row * side + column) * width + half * width / 2
                for (index, frequency) in frequencies.enumerated() {
                    values[base + index] = Float(sin(position * frequency))
                    values[base + quarter + index] = Float(cos(position * frequency))
                }
            }
        }
    }
    return Tensor(shape: [side * side, width], scalars: values)
}

/// The sin-cos position embeddings of a model trained on a `baseSize`x`baseSize` grid of patches: the training grid's
/// table, kept, and that of any other grid, computed relative to the training grid as diffusers recomputes it.
struct SinCosPositionTable {
    let width: Int
    /// The training grid's side in patches (`base_size`).
    let baseSize: Int
    /// `[baseSize², width]`.
    let trainingTable: Tensor

    init(width: Int, baseSize: Int) {
        self.width = width
        self.baseSize = baseSize
        trainingTable = sinCosPositionEmbedding(width: width, side: baseSize, baseSize: baseSize)
    }

    /// `[side², width]` for a grid of `side`x`side` patches.
    func callAsFunction(side: Int) -> Tensor {
        side == baseSize ? trainingTable : sinCosPositionEmbedding(width: width, side: side, baseSize: baseSize)
    }
}
