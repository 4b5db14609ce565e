/// Exact widening of 16-bit floating-point numbers to float32, independent of platform `Float16` support.
/// Written without branches so that the loops vectorize.
enum HalfPrecision {
    /// IEEE 754 binary16: 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits.
    /// NaNs keep sign and payload and come out quiet, as x86's `vcvtph2ps` (and so PyTorch) converts them.
    @inline(__always)
    static func float(fromFloat16Bits bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let magnitude = UInt32(bits & 0x7FFF)
        let exponent = magnitude & 0x7C00
        let shifted = magnitude << 13
        let normal = shifted &+ (112 << 23)  // rebias the exponent from 15 to 127
        // 2^-14 * (1 + fraction/1024) - 2^-14 = fraction * 2^-24, exactly
        let subnormal = (Float(bitPattern: shifted &+ (113 << 23)) - 0x1p-14).bitPattern
        let infinityOrNaN = shifted | 0x7F80_0000 | (magnitude > 0x7C00 ? 0x0040_0000 : 0)
        let widened = exponent == 0x7C00 ? infinityOrNaN : (exponent == 0 ? subnormal : normal)
        return Float(bitPattern: sign | widened)
    }

    /// bfloat16 is the upper half of a float32.
    @inline(__always)
    static func float(fromBFloat16Bits bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// Widens `count` little-endian binary16 values at `source` (any alignment).
    static func widenFloat16(_ source: UnsafeRawPointer, into target: UnsafeMutablePointer<Float>, count: Int) {
        for index in 0..<count {
            let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 &* index, as: UInt16.self))
            target[index] = float(fromFloat16Bits: bits)
        }
    }

    /// Widens `count` little-endian bfloat16 values at `source` (any alignment).
    static func widenBFloat16(_ source: UnsafeRawPointer, into target: UnsafeMutablePointer<Float>, count: Int) {
        for index in 0..<count {
            let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 &* index, as: UInt16.self))
            target[index] = float(fromBFloat16Bits: bits)
        }
    }
}
