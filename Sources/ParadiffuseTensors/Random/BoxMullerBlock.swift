/// PyTorch's `normal_fill_16_AVX2`: Box–Muller on a block of 16 uniforms in place. `u[j]` and `u[j + 8]`
/// (`j < 8`) become the pair `r·cos θ`, `r·sin θ` with `r = √(-2 log(1 - u[j]))` and `θ = 2π u[j + 8]`,
/// each then scaled and shifted with one FMA; all in float32 with the math of `CephesFloatMath`.
enum BoxMullerBlock {
    static let size = 16
    private static let twoPi = Float(2 * Double.pi)

    /// Computed with the vectorizing `DoubleSumFusedMultiplyAdd`, and again with `ExactFusedMultiplyAdd`
    /// in the rare block where the first is uncertain.
    @inline(__always)
    static func transform(_ block: UnsafeMutablePointer<Float>, mean: Float, standardDeviation: Float) {
        let uniforms = UnsafeRawPointer(block).loadUnaligned(as: SIMD16<Float>.self)
        var fast = DoubleSumFusedMultiplyAdd()
        transform(block, mean: mean, standardDeviation: standardDeviation, using: &fast)
        if fast.isUncertain {
            UnsafeMutableRawPointer(block).storeBytes(of: uniforms, as: SIMD16<Float>.self)
            transformExactly(block, mean: mean, standardDeviation: standardDeviation)
        }
    }

    @inline(never)
    private static func transformExactly(_ block: UnsafeMutablePointer<Float>, mean: Float,
                                         standardDeviation: Float) {
        var exact = ExactFusedMultiplyAdd()
        transform(block, mean: mean, standardDeviation: standardDeviation, using: &exact)
    }

    @inline(__always)
    private static func transform<Fused: FusedMultiplyAdd>(
        _ block: UnsafeMutablePointer<Float>, mean: Float, standardDeviation: Float, using fused: inout Fused
    ) {
        let half = size / 2
        for lane in 0..<half {
            let radiusSquared = -2 * CephesFloatMath.log(1 - block[lane], using: &fused)
            // √ of the magnitude, signed back: the same as √ (also for -0), without the C library's errno
            // branch for negative arguments, which keeps the loop from vectorizing.
            let radius = Float(signOf: radiusSquared, magnitudeOf: radiusSquared.magnitude.squareRoot())
            let (sine, cosine) = CephesFloatMath.sinCos(twoPi * block[lane + half], using: &fused)
            block[lane] = fused.addingProduct(mean, radius * cosine, standardDeviation)
            block[lane + half] = fused.addingProduct(mean, radius * sine, standardDeviation)
        }
    }
}
