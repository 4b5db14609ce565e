import ParadiffuseTensors

extension Tensor {
    /// Row-major images `[N, C, s·p, s·p]` to patches `[N, s², C·p·p]`: token `r·s + c` holds the patch at row `r`,
    /// column `c`, its values ordered by channel, then row and column inside the patch (as a convolution weight).
    func patchified(patchSize patch: Int) -> Tensor {
        let grid = PatchGrid(batch: shape[0], channels: shape[1], side: shape[2] / patch, patch: patch)
        var result = Tensor(uninitializedShape: [grid.batch, grid.tokens, grid.tokenWidth])
        withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                grid.forEachElement(channelsLast: false) { token, image in target[token] = source[image] }
            }
        }
        return result
    }

    /// Tokens `[N, s², p·p·C]` (patch rows, patch columns, channels) back to images `[N, C, s·p, s·p]`
    /// (diffusers' `einsum("nhwpqc->nchpwq")`).
    func unpatchified(patchSize patch: Int, channels: Int) -> Tensor {
        let side = Int(Double(shape[1]).squareRoot().rounded())
        let grid = PatchGrid(batch: shape[0], channels: channels, side: side, patch: patch)
        var result = Tensor(uninitializedShape: [grid.batch, channels, grid.size, grid.size])
        withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                grid.forEachElement(channelsLast: true) { token, image in target[image] = source[token] }
            }
        }
        return result
    }
}

/// Row-major images `[N, C, s·p, s·p]` cut into `s`x`s` patches of `p`x`p` pixels, one token per patch.
private struct PatchGrid {
    let batch, channels, side, patch: Int

    var size: Int { side * patch }
    var tokens: Int { side * side }
    var tokenWidth: Int { channels * patch * patch }

    /// Calls `body` with the index of every token element, in order (tokens row by row; inside a token by channel,
    /// then row and column in the patch, or with `channelsLast` by row and column, then channel), and the index of
    /// its pixel in the images.
    func forEachElement(channelsLast: Bool, _ body: (_ token: Int, _ image: Int) -> Void) {
        // The three axes inside a token, outermost first: their lengths and strides in the images.
        let channel = (count: channels, stride: size * size), rowInPatch = (count: patch, stride: size)
        let columnInPatch = (count: patch, stride: 1)
        let (outer, middle, inner) = channelsLast ? (rowInPatch, columnInPatch, channel)
            : (channel, rowInPatch, columnInPatch)
        var token = 0
        for item in 0..<batch {
            for row in 0..<side {
                for column in 0..<side {
                    let corner = (item * channels * size + row * patch) * size + column * patch
                    for first in 0..<outer.count {
                        for second in 0..<middle.count {
                            for third in 0..<inner.count {
                                body(token, corner + first * outer.stride + second * middle.stride + third * inner.stride)
                                token += 1
                            }
                        }
                    }
                }
            }
        }
    }
}
