import ParadiffuseTensors

/// One Picard iteration over a window of the trajectory: point `j + 1` becomes
/// `x_begin + Σ_{i ≤ j} (F(x_i) − x_i + noise_i)`, summed as the recurrence
/// `x'_{j+1} = (F(x_j) + noise_j) + (x'_j − x_j)` with `x'_begin = x_begin`: the same sum, but a window whose points
/// no longer move reproduces the sequential steps `F(x_j) + noise_j` bit for bit.
enum PicardUpdate {
    /// `inputs` are the window's points `x_begin ..< x_end`, `transitions` their noise-free steps and `noise` each
    /// step's pre-drawn noise; returns the new points `x'_{begin+1} ... x'_end`.
    static func updatedPoints(inputs: [Tensor], transitions: [Tensor], noise: ArraySlice<Tensor?>) -> [Tensor] {
        precondition(inputs.count == transitions.count && inputs.count == noise.count, "window sizes differ")
        var previous = inputs[0]
        return zip(inputs.indices, noise.indices).map { position, step in
            previous = point(transition: transitions[position], noise: noise[step], updatedInput: previous,
                             input: inputs[position])
            return previous
        }
    }

    private static func point(transition: Tensor, noise: Tensor?, updatedInput: Tensor, input: Tensor) -> Tensor {
        for other in [noise, updatedInput, input].compactMap({ $0 }) {
            precondition(other.shape == transition.shape && other.layout == transition.layout,
                         "shapes differ: \(other) and \(transition)")
        }
        var result = Tensor(uninitializedShape: transition.shape, layout: transition.layout)
        transition.withUnsafeBufferPointer { step in
            updatedInput.withUnsafeBufferPointer { updated in
                input.withUnsafeBufferPointer { old in
                    result.withUnsafeMutableBufferPointer { target in
                        guard let noise else {
                            for index in 0..<target.count { target[index] = step[index] + (updated[index] - old[index]) }
                            return
                        }
                        noise.withUnsafeBufferPointer { added in
                            for index in 0..<target.count {
                                target[index] = (step[index] + added[index]) + (updated[index] - old[index])
                            }
                        }
                    }
                }
            }
        }
        return result
    }
}
