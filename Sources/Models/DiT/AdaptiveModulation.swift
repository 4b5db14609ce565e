import Tensors

/// The per-item modulations of adaLN-Zero on tokens `[N, T, C]`: each item `n` has its own `[C]` shift, scale and
/// gate, broadcast over its tokens (diffusers' `x * (1 + scale[:, None]) + shift[:, None]` and `gate[:, None] * x`).
extension Tensor {
    /// `self * (1 + scale) + shift`, rounded after each operation as PyTorch computes it; `shift` and `scale` `[N, C]`.
    func modulated(shift: Tensor, scale: Tensor) -> Tensor {
        let (batch, tokens, channels) = (shape[0], shape[1], shape[2])
        var result = Tensor(uninitializedShape: shape)
        withUnsafeBufferPointer { input in
            shift.withUnsafeBufferPointer { shift in
                scale.withUnsafeBufferPointer { scale in
                    result.withUnsafeMutableBufferPointer { output in
                        for item in 0..<batch {
                            let factors = (0..<channels).map { 1 + scale[item * channels + $0] }
                            for token in 0..<tokens {
                                let row = (item * tokens + token) * channels
                                for channel in 0..<channels {
                                    let product = input[row + channel] * factors[channel]
                                    output[row + channel] = product + shift[item * channels + channel]
                                }
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// `self + gate · update` (the residual of a gated branch); `gate` `[N, C]`, `update` shaped as `self`.
    func addingGated(_ update: Tensor, gate: Tensor) -> Tensor {
        let (batch, tokens, channels) = (shape[0], shape[1], shape[2])
        var result = Tensor(uninitializedShape: shape)
        withUnsafeBufferPointer { residual in
            update.withUnsafeBufferPointer { update in
                gate.withUnsafeBufferPointer { gate in
                    result.withUnsafeMutableBufferPointer { output in
                        for item in 0..<batch {
                            for token in 0..<tokens {
                                let row = (item * tokens + token) * channels
                                for channel in 0..<channels {
                                    let gated = gate[item * channels + channel] * update[row + channel]
                                    output[row + channel] = gated + residual[row + channel]
                                }
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// A row-major `[N, k·C]` matrix cut into `k` matrices `[N, C]` (torch's `chunk(k, dim=1)`).
    func chunkedColumns(_ count: Int) -> [Tensor] {
        let (rows, columns) = (shape[0], shape[1])
        let width = columns / count
        let values = scalars
        return (0..<count).map { chunk in
            var chunkValues: [Float] = []
            chunkValues.reserveCapacity(rows * width)
            for row in 0..<rows {
                let start = row * columns + chunk * width
                chunkValues += values[start..<start + width]
            }
            return Tensor(shape: [rows, width], scalars: chunkValues)
        }
    }
}
