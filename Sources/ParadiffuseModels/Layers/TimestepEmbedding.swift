import Foundation
import ParadiffuseTensors

/// Sinusoidal embeddings of (possibly fractional) timesteps, as in DDPM: `[N, dimension]`.
public func sinusoidalTimestepEmbedding(_ timesteps: [Float], dimension: Int, flipSinToCos: Bool,
                                        frequencyShift: Float, scale: Float = 1, maxPeriod: Float = 10000) -> Tensor {
    let half = dimension / 2
    let logPeriod = Float(-log(Double(maxPeriod)))
    let frequencies = (0..<half).map { index in expf(logPeriod * Float(index) / (Float(half) - frequencyShift)) }
    var values = [Float](repeating: 0, count: timesteps.count * dimension)
    for (item, timestep) in timesteps.enumerated() {
        for index in 0..<half {
            let angle = scale * (timestep * frequencies[index])
            let (first, second) = flipSinToCos ? (cosf(angle), sinf(angle)) : (sinf(angle), cosf(angle))
            values[item * dimension + index] = first
            values[item * dimension + half + index] = second
        }
    }
    return Tensor(shape: [timesteps.count, dimension], scalars: values)
}

/// Random Fourier features of log noise levels (score-SDE models): `[N, 2·size]`.
struct GaussianFourierProjection {
    let weight: [Float]
    let flipSinToCos: Bool

    init(_ weights: ModelWeights, size: Int, flipSinToCos: Bool = false) throws {
        weight = try weights.tensor(oneOf: ["weight", "W"], shape: [size]).scalars
        self.flipSinToCos = flipSinToCos
    }

    func callAsFunction(_ sigmas: [Float]) -> Tensor {
        let size = weight.count
        var values = [Float](repeating: 0, count: sigmas.count * 2 * size)
        for (item, sigma) in sigmas.enumerated() {
            let logSigma = logf(sigma)
            for index in 0..<size {
                let angle = logSigma * weight[index] * 2 * Float.pi
                let (first, second) = flipSinToCos ? (cosf(angle), sinf(angle)) : (sinf(angle), cosf(angle))
                values[item * 2 * size + index] = first
                values[item * 2 * size + size + index] = second
            }
        }
        return Tensor(shape: [sigmas.count, 2 * size], scalars: values)
    }
}

/// linear → SiLU → linear, mapping a timestep (or class) projection to the embedding every block receives;
/// float32 in every precision.
struct TimestepEmbedding {
    let first: Linear
    let second: Linear
    /// `cond_proj`: a condition of width `conditionWidth` (LCM's guidance-scale embedding) projected without bias
    /// and added to the projection.
    let conditionProjection: Linear?

    init(_ weights: ModelWeights, input: Int, output: Int, conditionWidth: Int? = nil) throws {
        first = try Linear(weights.inFloat32.scoped("linear_1"), input: input, output: output)
        second = try Linear(weights.inFloat32.scoped("linear_2"), input: output, output: output)
        conditionProjection = try conditionWidth.map {
            try Linear(weights.inFloat32.scoped("cond_proj"), input: $0, output: input, bias: false)
        }
    }

    func callAsFunction(_ projection: Tensor, condition: Tensor? = nil) -> Tensor {
        var input = projection
        if let conditionProjection, let condition { input = conditionProjection(condition, adding: projection) }
        return second(first(input, activation: .silu))
    }
}
