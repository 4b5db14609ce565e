import Foundation
@testable import ParadiffuseTensors

/// Straightforward loops that define what the backend's kernels must compute.
enum NaiveReference {
    /// Row-major NCHW convolution with symmetric or asymmetric zero padding.
    static func convolution(_ input: [Float], shape: [Int], weight: [Float], weightShape: [Int], bias: [Float]?,
                            stride: Int, before: Int, after: Int) -> (values: [Float], shape: [Int]) {
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let (o, kh, kw) = (weightShape[0], weightShape[2], weightShape[3])
        let oh = (h + before + after - kh) / stride + 1, ow = (w + before + after - kw) / stride + 1
        var result = [Float](repeating: 0, count: n * o * oh * ow)
        for b in 0..<n { for oc in 0..<o { for y in 0..<oh { for x in 0..<ow {
            var sum = bias?[oc] ?? 0
            for ic in 0..<c { for ky in 0..<kh { for kx in 0..<kw {
                let iy = y * stride + ky - before, ix = x * stride + kx - before
                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                sum += input[((b * c + ic) * h + iy) * w + ix] * weight[((oc * c + ic) * kh + ky) * kw + kx]
            } } }
            result[((b * o + oc) * oh + y) * ow + x] = sum
        } } } }
        return (result, [n, o, oh, ow])
    }

    static func attention(query: [Float], key: [Float], value: [Float], batch: Int, queries: Int, keys: Int,
                          heads: Int, headSize: Int) -> [Float] {
        let width = heads * headSize
        var output = [Float](repeating: 0, count: batch * queries * width)
        let scale = 1 / Float(headSize).squareRoot()
        for b in 0..<batch { for h in 0..<heads { for q in 0..<queries {
            var scores = [Float](repeating: 0, count: keys)
            for k in 0..<keys {
                var dot: Float = 0
                for d in 0..<headSize {
                    dot += query[(b * queries + q) * width + h * headSize + d] * key[(b * keys + k) * width + h * headSize + d]
                }
                scores[k] = dot * scale
            }
            let largest = scores.max()!
            let exps = scores.map { exp($0 - largest) }
            let total = exps.reduce(0, +)
            for d in 0..<headSize {
                var sum: Float = 0
                for k in 0..<keys { sum += exps[k] / total * value[(b * keys + k) * width + h * headSize + d] }
                output[(b * queries + q) * width + h * headSize + d] = sum
            }
        } } }
        return output
    }
}

/// Deterministic pseudo-random values in [-1, 1).
func testValues(_ count: Int, seed: UInt64) -> [Float] {
    var state = seed &* 6364136223846793005 &+ 1442695040888963407
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(state >> 40) / Float(1 << 23) - 1
    }
}

func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}
