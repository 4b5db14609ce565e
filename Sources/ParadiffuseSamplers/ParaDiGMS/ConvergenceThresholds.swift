import ParadiffuseSchedulers
import ParadiffuseTensors

/// diffusers' test of whether a point of the trajectory has stopped moving: for every image, the mean over its
/// elements of the squared change since the previous iteration is at most `tolerance² · σ̃²`, σ̃ being the DDPM
/// posterior standard deviation of the step that leaves the point (for ODE schedulers too). The final point, which
/// no step leaves, tolerates no change at all.
struct ConvergenceThresholds {
    /// Indexed by trajectory point (point `k` is the latent after `k` steps); point 0 never moves.
    private let toleratedMeanSquare: [Double]

    init(scheduler: any ParallelScheduler, tolerance: Double) throws {
        let stepTolerances = try scheduler.timesteps.map { timestep in
            let deviation = Double(try scheduler.posteriorStandardDeviation(at: timestep))
            return tolerance * tolerance * deviation * deviation
        }
        toleratedMeanSquare = stepTolerances + [0]
    }

    func isConverged(point: Int, updated: Tensor, previous: Tensor) -> Bool {
        updated.meanSquareDifferencePerItem(previous).allSatisfy { $0 <= toleratedMeanSquare[point] }
    }
}

extension Tensor {
    /// For each batch item, the mean over its elements of `(self − other)²`, accumulated in double precision.
    func meanSquareDifferencePerItem(_ other: Tensor) -> [Double] {
        precondition(shape == other.shape && layout == other.layout, "shapes differ: \(self) and \(other)")
        let itemCount = batchSize == 0 ? 0 : count / batchSize
        return withUnsafeBufferPointer { left in
            other.withUnsafeBufferPointer { right in
                (0..<batchSize).map { item in
                    var sum = 0.0
                    for index in item * itemCount..<(item + 1) * itemCount {
                        let difference = Double(left[index] - right[index])
                        sum += difference * difference
                    }
                    return sum / Double(itemCount)
                }
            }
        }
    }
}
