/// Single-precision `log` and `sincos` exactly as PyTorch's x86 normal kernel evaluates them.
///
/// PyTorch's `normal_fill_16_AVX2` (the kernel behind `torch.randn` on every x86-64 CPU with AVX2, including
/// AVX-512 ones, which reuse it) calls `log256_ps` and `sincos256_ps` from `avx_mathfun.h`: Julien Pommier's
/// vector ports of the Cephes polynomials. Its wheels are built by GCC with `-mfma`, which fuses each
/// multiply that feeds an add into one FMA; the fused pairs below are read from the disassembly of
/// `libtorch_cpu.so` (torch 2.15), and every other step rounds on its own, so results agree bit for bit.
enum CephesFloatMath {
    private static let sqrtHalf: Float = 0.707106781186547524
    private static let logPolynomial: [Float] = [
        7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
        -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
    ]
    private static let log2Low: Float = -2.12194440e-4
    private static let log2High: Float = 0.693359375

    /// Natural logarithm of a positive normal float.
    @inline(__always)
    static func log(_ value: Float) -> Float {
        let bits = value.bitPattern
        var exponent = Float(Int32(bitPattern: bits >> 23) - 127) + 1
        var x = Float(bitPattern: (bits & 0x807f_ffff) | 0x3f00_0000)  // mantissa scaled into [0.5, 1)
        let belowSqrtHalf = x < sqrtHalf
        let extra: Float = belowSqrtHalf ? x : 0
        x = x - 1
        exponent -= belowSqrtHalf ? 1 : 0
        x = x + extra

        let squared = x * x
        var y = logPolynomial[0]
        for coefficient in logPolynomial.dropFirst() { y = coefficient.addingProduct(y, x) }
        y = (exponent * log2Low).addingProduct(y * x, squared)
        y = y.addingProduct(-squared, 0.5)
        x = x + y
        return x.addingProduct(exponent, log2High)
    }

    private static let fourOverPi: Float = 1.27323954473516
    private static let minusPiOver4Parts: (Float, Float, Float) =
        (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8)
    private static let cosinePolynomial: (Float, Float, Float) =
        (2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2)
    private static let sinePolynomial: (Float, Float, Float) = (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1)

    /// Sine and cosine of an angle of magnitude below 8192 (beyond that the reduction loses precision).
    @inline(__always)
    static func sinCos(_ angle: Float) -> (sin: Float, cos: Float) {
        var x = abs(angle)
        let octant = (Int32(x * fourOverPi) + 1) & ~1  // even octant index j; x - j·π/4 lies in [-π/4, π/4]
        let y = Float(octant)
        x = x.addingProduct(y, minusPiOver4Parts.0)
        x = x.addingProduct(y, minusPiOver4Parts.1)
        x = x.addingProduct(y, minusPiOver4Parts.2)

        let squared = x * x
        var cosine = cosinePolynomial.1.addingProduct(cosinePolynomial.0, squared)
        cosine = cosinePolynomial.2.addingProduct(cosine, squared)
        cosine = squared * cosine
        cosine = (-(squared * 0.5)).addingProduct(squared, cosine) + 1

        var sine = sinePolynomial.1.addingProduct(sinePolynomial.0, squared)
        sine = sinePolynomial.2.addingProduct(sine, squared)
        sine = x.addingProduct(x, squared * sine)

        let swapsPolynomials = octant & 2 != 0
        let sinMagnitude = swapsPolynomials ? cosine : sine
        let cosMagnitude = swapsPolynomials ? sine : cosine
        let sinIsNegated = (angle.sign == .minus) != (octant & 4 != 0)
        let cosIsNegated = ~(octant &- 2) & 4 != 0
        return (sinIsNegated ? -sinMagnitude : sinMagnitude, cosIsNegated ? -cosMagnitude : cosMagnitude)
    }
}
