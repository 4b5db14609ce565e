/// `numpy.log` of a float32 value as NumPy computes it on x86 with AVX2/AVX-512 (not correctly rounded: up to
/// 3 ulp from the true logarithm), for the schedulers whose diffusers code takes NumPy logarithms of float32
/// values and subtracts nearly equal results (DEIS). Bit-identical to NumPy on positive normal numbers: the
/// exponent and the mantissa m ∈ [√½, √2) split off, log(m) as a ratio of two degree-5 polynomials in m − 1
/// evaluated with fused multiply-adds, plus e·ln 2.
enum NumPyLogarithm {
    private static let numerator: [Float] = [0x0000_0000, 0x3F80_0000, 0x4007_361C, 0x3FBD_70A9, 0x3EC3_0333,
                                             0x3CD4_2BCD].map { Float(bitPattern: $0) }
    private static let denominator: [Float] = [0x3F80_0000, 0x4027_361C, 0x401C_FE0D, 0x3F7C_8AE4, 0x3E1E_5BF3,
                                               0x3BC0_83DF].map { Float(bitPattern: $0) }
    private static let squareRootOfHalf = Float(bitPattern: 0x3F35_04F3)
    private static let logarithmOf2 = Float(bitPattern: 0x3F31_7218)

    static func log(_ value: Float) -> Float {
        if value.isNaN || value == .infinity { return value }
        if value == 0 { return -.infinity }
        if value < 0 { return -.nan }
        let bits = value.bitPattern
        var exponent = Float(Int32(bitPattern: bits >> 23) - 126)
        var mantissa = Float(bitPattern: (bits & 0x007F_FFFF) | 0x3F00_0000)
        if mantissa <= squareRootOfHalf {
            mantissa = mantissa + mantissa
            exponent = exponent - 1
        }
        let y = mantissa - 1
        return (horner(numerator, y) / horner(denominator, y)).addingProduct(exponent, logarithmOf2)
    }

    /// c₀ + y·(c₁ + y·(… + y·c₅)), each step one fused multiply-add.
    private static func horner(_ coefficients: [Float], _ y: Float) -> Float {
        coefficients.dropLast().reversed().reduce(coefficients[coefficients.count - 1]) { sum, coefficient in
            coefficient.addingProduct(sum, y)
        }
    }
}
