import Foundation

/// The weights Pillow's `Image.resize(size, Image.LANCZOS)` gives one axis (src/libImaging/Resample.c,
/// `precompute_coeffs` and `normalize_coeffs_8bpc`): output sample `i` is the weighted sum of `counts[i]` input
/// samples from `starts[i]`, the weights a Lanczos window (a = 3) stretched by the scale when shrinking,
/// normalised to sum 1, then rounded half away from zero to fixed point with `precisionBits` fractional bits.
struct ResamplingWeights {
    /// 32 bits less 8 for the sample and 2 for the overshoot of negative lobes.
    static let precisionBits = 22
    /// The window's half width in input samples before stretching.
    private static let support = 3.0

    let starts: [Int]
    let counts: [Int]
    /// The weights of output `i` at `i * stride ..< i * stride + counts[i]`.
    let weights: [Int]
    let stride: Int

    init(inputSize: Int, outputSize: Int) {
        let scale = Double(inputSize) / Double(outputSize)
        let filterScale = max(scale, 1)
        let support = Self.support * filterScale
        let inverseFilterScale = 1 / filterScale
        stride = Int(support.rounded(.up)) * 2 + 1
        var starts = [Int](), counts = [Int](), weights = [Int](repeating: 0, count: outputSize * stride)
        for output in 0..<outputSize {
            let center = (Double(output) + 0.5) * scale
            let start = max(Int(center - support + 0.5), 0)
            let end = min(Int(center + support + 0.5), inputSize)
            let window = (start..<max(end, start)).map { Self.lanczos((Double($0) - center + 0.5) * inverseFilterScale) }
            let total = window.reduce(0, +)
            for (offset, weight) in window.enumerated() {
                let normalised = total != 0 ? weight / total : weight
                let fixed = normalised * Double(1 << Self.precisionBits)
                weights[output * stride + offset] = Int(fixed < 0 ? fixed - 0.5 : fixed + 0.5)
            }
            starts.append(start)
            counts.append(window.count)
        }
        (self.starts, self.counts, self.weights) = (starts, counts, weights)
    }

    /// The weighted sum of samples `sample(start + k)` for output `index`, rounded and clipped to 0...255.
    @inline(__always)
    func resample(_ index: Int, sample: (Int) -> UInt8) -> UInt8 {
        var sum = 1 << (Self.precisionBits - 1)
        let (start, base) = (starts[index], index * stride)
        for offset in 0..<counts[index] { sum += Int(sample(start + offset)) * weights[base + offset] }
        return UInt8(clamping: sum >> Self.precisionBits)
    }

    /// Lanczos: sinc(x) · sinc(x / 3) on [-3, 3).
    private static func lanczos(_ x: Double) -> Double {
        guard -3 <= x, x < 3 else { return 0 }
        return sinc(x) * sinc(x / 3)
    }

    private static func sinc(_ x: Double) -> Double {
        guard x != 0 else { return 1 }
        let angle = x * Double.pi
        return sin(angle) / angle
    }
}
