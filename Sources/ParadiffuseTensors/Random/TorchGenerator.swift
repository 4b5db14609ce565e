#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// PyTorch's CPU random generator, bit for bit: a seed gives the same tensors as
/// `torch.Generator("cpu").manual_seed(seed)` with `torch.randn` / `torch.normal` on float32, including the
/// continuation of the stream across consecutive draws of any sizes (diffusers draws the initial latents and
/// then every step's noise from one generator).
///
/// A value type: copying a generator forks its stream, and both copies go on to draw identical values.
///
/// How PyTorch samples a float32 normal tensor of `n` elements:
/// - `n >= 16`: `n` uniforms `(mt() & 0xffffff) / 2²⁴`, then `BoxMullerBlock` on each block of 16.
///   When `n` is not a multiple of 16, 16 fresh uniforms overwrite the last 16 elements and that overlapping
///   block is transformed again.
/// - `n < 16`: element by element in double precision with the C library's `log1p`, `sin` and `cos`
///   (two 53-bit uniforms give two normals; the second is cached in the generator and returned by the next
///   scalar draw, even one in a later call — draws of 16 or more leave the cache alone).
///
/// This is the path PyTorch takes on x86-64 CPUs with AVX2 or AVX-512. Elsewhere (for example Apple silicon)
/// PyTorch's `n >= 16` path uses its scalar `normal_fill` with the platform's float `log`/`sin`/`cos`, whose
/// last bits may differ.
public struct TorchGenerator: Sendable {
    private var engine: MersenneTwister
    /// The second normal of the last scalar Box–Muller pair, not yet returned (PyTorch's
    /// `next_double_normal_sample`).
    private var cachedNormal: Double?

    /// `torch.Generator("cpu").manual_seed(seed)`.
    public init(seed: UInt64) {
        engine = MersenneTwister(seed: seed)
        cachedNormal = nil
    }

    /// `torch.randn(shape, generator: self, dtype: torch.float32)`: standard normal samples, row-major.
    public mutating func randn(_ shape: [Int]) -> Tensor {
        normal(shape, mean: 0, standardDeviation: 1)
    }

    /// `torch.normal(mean, standardDeviation, shape, generator: self)` in float32, row-major.
    /// `standardDeviation` must not be negative.
    public mutating func normal(_ shape: [Int], mean: Double, standardDeviation: Double) -> Tensor {
        precondition(standardDeviation >= 0, "normal: standard deviation \(standardDeviation) is negative")
        precondition(shape.allSatisfy { $0 >= 0 }, "normal: negative dimension in \(shape)")
        var result = Tensor(uninitializedShape: shape)
        result.withUnsafeMutableBufferPointer { values in
            if values.count >= BoxMullerBlock.size {
                fillByBlocks(values, mean: Float(mean), standardDeviation: Float(standardDeviation))
            } else {
                for index in values.indices {
                    values[index] = Float(nextScalarNormal(mean: mean, standardDeviation: standardDeviation))
                }
            }
        }
        return result
    }

    // MARK: - Draws of 16 or more (PyTorch's `normal_fill_AVX2`)

    private mutating func fillByBlocks(_ values: UnsafeMutableBufferPointer<Float>, mean: Float,
                                       standardDeviation: Float) {
        let count = values.count, blockSize = BoxMullerBlock.size, base = values.baseAddress!
        for index in 0..<count { values[index] = nextUniformFloat() }
        for offset in stride(from: 0, through: count - blockSize, by: blockSize) {
            BoxMullerBlock.transform(base + offset, mean: mean, standardDeviation: standardDeviation)
        }
        if count % blockSize != 0 {
            let lastBlock = base + count - blockSize
            for index in 0..<blockSize { lastBlock[index] = nextUniformFloat() }
            BoxMullerBlock.transform(lastBlock, mean: mean, standardDeviation: standardDeviation)
        }
    }

    /// A uniform float in [0, 1) from the low 24 bits of one draw.
    private mutating func nextUniformFloat() -> Float {
        Float(engine.next() & 0xff_ffff) * 0x1p-24
    }

    // MARK: - Draws of fewer than 16 (PyTorch's `at::normal_distribution<double>`)

    private mutating func nextScalarNormal(mean: Double, standardDeviation: Double) -> Double {
        if let cached = cachedNormal {
            cachedNormal = nil
            return mean.addingProduct(cached, standardDeviation)
        }
        let angleFraction = nextUniformDouble()
        let radiusFraction = nextUniformDouble()
        let radius = (log1p(-radiusFraction) * -2).squareRoot()
        let angle = 2 * Double.pi * angleFraction
        cachedNormal = radius * sin(angle)
        return mean.addingProduct(radius * cos(angle), standardDeviation)
    }

    /// A uniform double in [0, 1) from the low 53 bits of a 64-bit draw.
    private mutating func nextUniformDouble() -> Double {
        Double(engine.next64() & ((1 << 53) - 1)) * 0x1p-53
    }
}
