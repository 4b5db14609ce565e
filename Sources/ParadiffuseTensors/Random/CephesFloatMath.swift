/// Single-precision `log` and `sincos` exactly as PyTorch's x86 normal kernel evaluates them.
///
/// PyTorch's `normal_fill_16_AVX2` (the kernel behind `torch.randn` on every x86-64 CPU with AVX2, including
/// AVX-512 ones, which reuse it) calls `log256_ps` and `sincos256_ps` from `avx_mathfun.h`: Julien Pommier's
/// vector ports of the Cephes polynomials. Its wheels are built by GCC with `-mfma`, which fuses each
/// multiply that feeds an add into one FMA; the fused pairs below are read from the disassembly of
/// `libtorch_cpu.so` (torch 2.15), and every other step rounds on its own, so results agree bit for bit.
/// Where a fused product is exact in float, a plain multiply and add give the same single rounding.
///
/// The code is branch-free and trap-free so that loops over lanes vectorize.
enum CephesFloatMath {
    /// Natural logarithm of a positive normal float.
    @inline(__always)
    static func log<Fused: FusedMultiplyAdd>(_ value: Float, using fused: inout Fused) -> Float {
        let bits = value.bitPattern
        var exponent = Float(Int32(bitPattern: bits >> 23) &- 127) + 1
        var x = Float(bitPattern: (bits & 0x807f_ffff) | 0x3f00_0000)  // the mantissa, scaled into [0.5, 1)
        let belowSqrtHalf = x < 0.707106781186547524
        let extra: Float = belowSqrtHalf ? x : 0
        x = x - 1
        exponent -= belowSqrtHalf ? 1 : 0
        x = x + extra

        let squared = x * x
        var y: Float = 7.0376836292e-2
        y = fused.addingProduct(-1.1514610310e-1, y, x)
        y = fused.addingProduct(1.1676998740e-1, y, x)
        y = fused.addingProduct(-1.2420140846e-1, y, x)
        y = fused.addingProduct(1.4249322787e-1, y, x)
        y = fused.addingProduct(-1.6668057665e-1, y, x)
        y = fused.addingProduct(2.0000714765e-1, y, x)
        y = fused.addingProduct(-2.4999993993e-1, y, x)
        y = fused.addingProduct(3.3333331174e-1, y, x)
        y = fused.addingProduct(exponent * -2.12194440e-4, y * x, squared)
        y = y - squared * 0.5  // the halving is exact
        x = x + y
        return x + exponent * 0.693359375  // exact: the constant has 8 significant bits, the exponent 8 at most
    }

    /// Sine and cosine of an angle of magnitude below 4096 (PyTorch's are 2π·u with u in [0, 1)).
    @inline(__always)
    static func sinCos<Fused: FusedMultiplyAdd>(_ angle: Float,
                                                using fused: inout Fused) -> (sin: Float, cos: Float) {
        var x = angle.magnitude
        let octant = (truncated(x * 1.27323954473516) &+ 1) & ~1  // even j with x - j·π/4 in [-π/4, π/4]
        let y = Float(octant)
        // x - y·π/4 with π/4 in three parts; y (below 2¹³) times each of the first two is exact.
        x = x + y * -0.78515625
        x = x + y * -2.4187564849853515625e-4
        x = fused.addingProduct(x, y, -3.77489497744594108e-8)

        let squared = x * x
        var cosine = fused.addingProduct(-1.388731625493765e-3, 2.443315711809948e-5, squared)
        cosine = fused.addingProduct(4.166664568298827e-2, cosine, squared)
        cosine = fused.addingProduct(-(squared * 0.5), squared, squared * cosine) + 1

        var sine = fused.addingProduct(8.3321608736e-3, -1.9515295891e-4, squared)
        sine = fused.addingProduct(-1.6666654611e-1, sine, squared)
        sine = fused.addingProduct(x, x, squared * sine)

        let swapsPolynomials = octant & 2 != 0
        let sinMagnitude = swapsPolynomials ? cosine : sine
        let cosMagnitude = swapsPolynomials ? sine : cosine
        let sinIsNegated = (angle.sign == .minus) != (octant & 4 != 0)
        let cosIsNegated = ~(octant &- 2) & 4 != 0
        return (sinIsNegated ? -sinMagnitude : sinMagnitude, cosIsNegated ? -cosMagnitude : cosMagnitude)
    }

    /// `Int32(value)` for `0 ≤ value < 2²²`, without the overflow check whose trap keeps loops from vectorizing.
    @inline(__always)
    private static func truncated(_ value: Float) -> Int32 {
        let offset: Float = 0x1p23  // at 2²³ floats are spaced 1 apart, so the sum rounds to an integer
        let rounded = value + offset
        let nearest = Int32(bitPattern: rounded.bitPattern & 0x7f_ffff)
        return nearest &- (rounded - offset > value ? 1 : 0)
    }
}
