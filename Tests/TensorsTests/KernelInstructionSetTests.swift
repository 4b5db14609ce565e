import CKernels
import Testing
@testable import ParadiffuseTensors

/// Every dispatching C kernel on each instruction set this CPU runs, against its portable path on the same inputs:
/// bit-equal where the arithmetic is the same in every variant (moments in double, conversions, quantization, gated
/// sums), within float32 rounding where vector width or FMA contraction reorders it. Levels above the CPU's run as
/// the CPU's, so the test covers exactly the variants this machine has (`swift test` prints them).
struct KernelInstructionSetTests {
    static let levels = CPUCapabilities.InstructionSet.allCases.filter {
        $0 > .portable && $0 <= CPUCapabilities.current.cpuInstructionSet
    }

    /// Odd sizes so every vector loop has a remainder.
    static let (pixels, channels, rows, width) = (37, 45, 7, 53)

    private func relativeDifference(_ a: [Float], _ b: [Float]) -> Float {
        let largest = b.map(abs).max() ?? 0
        return zip(a, b).map { abs($0 - $1) }.max().map { $0 / max(largest, 1e-30) } ?? 0
    }

    @Test(arguments: levels)
    func groupNormKernelsMatchThePortablePath(level: CPUCapabilities.InstructionSet) {
        let x = testValues(Self.pixels * Self.channels, seed: 1).map { 3 * $0 }
        let scale = testValues(Self.channels, seed: 2), shift = testValues(Self.channels, seed: 3)
        func moments(_ isa: pd_isa) -> [Double] {
            var sum = [Double](repeating: 0, count: Self.channels), squares = sum
            pd_channel_moments(isa, x, Self.pixels, Self.channels, &sum, &squares)
            return sum + squares
        }
        func affine(_ isa: pd_isa, silu: Bool) -> [Float] {
            var y = [Float](repeating: 0, count: x.count)
            pd_channel_affine(isa, x, &y, Self.pixels, Self.channels, scale, shift, silu ? 1 : 0)
            return y
        }
        let bits = x.map { bf16Bits($0) }
        func momentsBFloat16(_ isa: pd_isa) -> [Double] {
            var sum = [Double](repeating: 0, count: Self.channels), squares = sum
            pd_channel_moments_bf16(isa, bits, Self.pixels, Self.channels, &sum, &squares)
            return sum + squares
        }
        func affineBFloat16(_ isa: pd_isa) -> [Float] {
            var y = [UInt16](repeating: 0, count: x.count)
            pd_channel_affine_bf16(isa, bits, &y, Self.pixels, Self.channels, scale, shift, 1)
            return y.map { Float(bitPattern: UInt32($0) << 16) }
        }
        let isa = level.kernelLevel
        #expect(moments(isa) == moments(PD_ISA_PORTABLE))
        #expect(momentsBFloat16(isa) == momentsBFloat16(PD_ISA_PORTABLE))
        #expect(relativeDifference(affine(isa, silu: false), affine(PD_ISA_PORTABLE, silu: false)) <= 1e-6)
        #expect(relativeDifference(affine(isa, silu: true), affine(PD_ISA_PORTABLE, silu: true)) <= 1e-6)
        #expect(relativeDifference(affineBFloat16(isa), affineBFloat16(PD_ISA_PORTABLE)) <= 0x1p-8)
    }

    @Test(arguments: levels)
    func elementwiseKernelsMatchThePortablePath(level: CPUCapabilities.InstructionSet) {
        let isa = level.kernelLevel
        let x = testValues(2 * Self.rows * Self.width, seed: 4).map { 4 * $0 }
        func geglu(_ isa: pd_isa) -> [Float] {
            var y = [Float](repeating: 0, count: Self.rows * Self.width)
            pd_geglu(isa, x, &y, Self.rows, Self.width)
            return y
        }
        func silu(_ isa: pd_isa) -> [Float] {
            var y = [Float](repeating: 0, count: x.count)
            pd_silu(isa, x, &y, 0, x.count)
            return y
        }
        func gated(_ isa: pd_isa) -> [Float] {
            var y = [Float](repeating: 0, count: Self.rows * Self.width)
            let gate = testValues(Self.width, seed: 5)
            pd_add_gated(isa, x, Array(x.reversed()), gate, 0, &y, 0, Self.rows, Self.rows, Self.width)
            return y
        }
        func normalized(_ isa: pd_isa) -> [Float] {
            var y = [Float](repeating: 0, count: Self.rows * Self.width)
            let shift = testValues(Self.width, seed: 6), scale = testValues(Self.width, seed: 7)
            pd_modulated_layer_norm(isa, x, &y, 0, 0, Self.rows, Self.rows, Self.width, nil, nil, shift, scale, 0, 1e-6)
            return y
        }
        #expect(relativeDifference(geglu(isa), geglu(PD_ISA_PORTABLE)) <= 1e-6)
        #expect(relativeDifference(silu(isa), silu(PD_ISA_PORTABLE)) <= 1e-6)
        #expect(gated(isa) == gated(PD_ISA_PORTABLE))
        #expect(relativeDifference(normalized(isa), normalized(PD_ISA_PORTABLE)) <= 1e-5)
    }

    @Test(arguments: levels)
    func conversionsAndQuantizationAreTheSameOnEveryPath(level: CPUCapabilities.InstructionSet) {
        let isa = level.kernelLevel
        let special: [Float] = [.nan, -.nan, .infinity, -.infinity, 0x1p-130, -0x1p-149, 1 + 0x1p-8, 1 + 3 * 0x1p-8]
        let x = special + testValues(1_000, seed: 8).map { 100 * $0 }
        func narrowed(_ isa: pd_isa) -> [UInt16] {
            var y = [UInt16](repeating: 0, count: x.count)
            pd_round_to_bf16(isa, x, &y, x.count)
            return y
        }
        func widened(_ isa: pd_isa) -> [UInt32] {
            var y = [Float](repeating: 0, count: x.count)
            pd_widen_bf16(isa, narrowed(PD_ISA_PORTABLE), &y, x.count)
            return y.map(\.bitPattern)
        }
        func quantized(_ isa: pd_isa) -> [Int8] {
            var q = [Int8](repeating: 0, count: x.count)
            pd_quantize_s8_f32(isa, x, x.count, 1 / pd_symmetric_int8_scale(pd_max_abs_f32(isa, x, x.count)), &q)
            return q
        }
        #expect(narrowed(isa) == narrowed(PD_ISA_PORTABLE))
        #expect(widened(isa) == widened(PD_ISA_PORTABLE))
        #expect(pd_max_abs_f32(isa, x, x.count) == pd_max_abs_f32(PD_ISA_PORTABLE, x, x.count))
        #expect(quantized(isa) == quantized(PD_ISA_PORTABLE))
    }

    @Test func bfloat16RoundingIsPyTorchsRoundToNearestEven() {
        let values: [Float] = [1 + 0x1p-8, 1 + 0x1p-8 + 0x1p-20, 1 + 3 * 0x1p-8, -2.5, .infinity, 0x1.fffffep127]
        var bits = [UInt16](repeating: 0, count: values.count)
        pd_round_to_bf16(PD_ISA_PORTABLE, values, &bits, values.count)
        #expect(bits == [0x3F80, 0x3F81, 0x3F82, 0xC020, 0x7F80, 0x7F80])
    }

    private func bf16Bits(_ value: Float) -> UInt16 {
        var bits: UInt16 = 0
        pd_round_to_bf16(PD_ISA_PORTABLE, [value], &bits, 1)
        return bits
    }
}
