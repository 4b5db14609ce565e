/// A way to compute `addend + a·b` rounded once, as the FMA instructions in PyTorch's kernels do.
protocol FusedMultiplyAdd {
    mutating func addingProduct(_ addend: Float, _ a: Float, _ b: Float) -> Float
}

/// `Float.addingProduct`: always exact, but a build for baseline x86-64 (no FMA instruction) makes each one a
/// call to libm's `fmaf`, which keeps loops from vectorizing.
struct ExactFusedMultiplyAdd: FusedMultiplyAdd {
    @inline(__always)
    mutating func addingProduct(_ addend: Float, _ a: Float, _ b: Float) -> Float {
        addend.addingProduct(a, b)
    }
}

/// The sum formed in double and rounded to float: the product of two floats is exact in double, so this is
/// the single rounding of an FMA except when the double sum lands exactly halfway between two floats (its
/// rounding may then have gone the wrong way) or the result is zero or below float's normal range. Such
/// results set `isUncertain`; the caller redoes that work with `ExactFusedMultiplyAdd`.
/// Inlines and vectorizes on any x86-64.
struct DoubleSumFusedMultiplyAdd: FusedMultiplyAdd {
    private var uncertainResults: UInt8 = 0

    var isUncertain: Bool { uncertainResults != 0 }

    @inline(__always)
    mutating func addingProduct(_ addend: Float, _ a: Float, _ b: Float) -> Float {
        let sum = Double(a) * Double(b) + Double(addend)
        let result = Float(sum)
        let halfwayBits: UInt64 = 1 << 28, droppedBits = sum.bitPattern & (halfwayBits << 1 - 1)
        let isHalfway = droppedBits == halfwayBits
        let isBelowNormal = result.magnitude < Float.leastNormalMagnitude
        // Bools as 0 or 1 without a conditional: conditionals here grow the callers past the size up to which
        // the optimizer still inlines `log` and `sinCos` into the lane loop.
        uncertainResults |= unsafeBitCast(isHalfway, to: UInt8.self) | unsafeBitCast(isBelowNormal, to: UInt8.self)
        return result
    }
}
