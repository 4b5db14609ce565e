import Foundation
import Testing
import ParadiffuseTestSupport
@testable import ParadiffuseTensors

/// The bfloat16 paths of the backend against the float32 ones on the same (bfloat16-representable) inputs: they
/// differ only by the rounding of results to bfloat16 and the order of float32 accumulation. bfloat16 weights for
/// float32 arithmetic (`Precision.bfloat16Weights`, on every CPU) give the float32 layers' results exactly.
struct BFloat16OperationTests {
    /// Values representable in bfloat16, as a float32 tensor.
    private func representable(_ shape: [Int], seed: UInt64) -> Tensor {
        Tensor(shape: shape, scalars: testValues(shape.reduce(1, *), seed: seed).map { 4 * $0 })
            .converted(to: .bfloat16).converted(to: .float32)
    }

    /// Largest difference relative to the reference's largest magnitude.
    private func relativeDifference(_ actual: Tensor, _ expected: Tensor) -> Float {
        actual.converted(to: .float32).maxAbsDifference(expected) / expected.maxAbs
    }

    @Test func conversionToBFloat16RoundsToNearestEven() {
        let halfway: Float = 1 + 0x1p-8, aboveHalfway: Float = 1 + 0x1p-8 + 0x1p-20, oddHalfway: Float = 1 + 3 * 0x1p-8
        let values = Tensor(shape: [5], scalars: [halfway, aboveHalfway, oddHalfway, -2.5, .infinity])
        let expected: [Float] = [1, 1 + 0x1p-7, 1 + 0x1p-6, -2.5, .infinity]
        let rounded = values.converted(to: .bfloat16).converted(to: .float32).scalars
        #expect(rounded == expected)
    }

    @Test(.bfloat16Arithmetic) func convolutionInBFloat16AccumulatesInFloat32() {
        let input = representable([2, 16, 9, 7], seed: 1).toChannelsLast()
        let weight = representable([24, 16, 3, 3], seed: 2), bias = representable([24], seed: 3)
        let residual = representable([2, 24, 9, 7], seed: 4).toChannelsLast()
        let expected = Convolution2D(weight: weight, bias: bias, padding: 1)(input, adding: residual, scale: 0.5)
        let output = Convolution2D(weight: weight.converted(to: .bfloat16), bias: bias, padding: 1)(
            input.converted(to: .bfloat16), adding: residual.converted(to: .bfloat16), scale: 0.5)
        let difference = relativeDifference(output, expected)
        #expect(output.dtype == .bfloat16 && output.layout == .channelsLast)
        #expect(difference <= 0x1p-8)
    }

    @Test(.bfloat16Arithmetic) func linearInBFloat16GivesFloat32OutputsOnRequest() {
        let input = representable([3, 5, 32], seed: 5), weight = representable([20, 32], seed: 6)
        let bias = representable([20], seed: 7)
        let expected = Linear(weight: weight, bias: bias)(input, activation: .gelu)
        let linear = Linear(weight: weight.converted(to: .bfloat16), bias: bias)
        let wide = linear(input.converted(to: .bfloat16), activation: .gelu, as: .float32)
        #expect(wide.dtype == .float32)
        let narrow = linear(input.converted(to: .bfloat16), activation: .gelu)
        #expect(relativeDifference(wide, expected) <= 1e-5)
        #expect(relativeDifference(narrow, expected) <= 0x1p-8)
    }

    @Test func groupNormInBFloat16KeepsFloat32Statistics() {
        let input = representable([2, 8, 5, 6], seed: 8).toChannelsLast()
        let norm = GroupNorm(groups: 4, weight: representable([8], seed: 9), bias: representable([8], seed: 10),
                             epsilon: 1e-5)
        let channelBias = representable([2, 8], seed: 11)
        let expected = norm(input, channelBias: channelBias, silu: true)
        let output = norm(input.converted(to: .bfloat16), channelBias: channelBias, silu: true)
        let difference = relativeDifference(output, expected)
        #expect(output.dtype == .bfloat16)
        #expect(difference <= 0x1p-8)
    }

    @Test(.bfloat16Arithmetic) func layerNormAndGEGLUInBFloat16() {
        let input = representable([2, 3, 16], seed: 12)
        let norm = LayerNorm(weight: representable([16], seed: 13), bias: representable([16], seed: 14), epsilon: 1e-5)
        let normalized = relativeDifference(norm(input.converted(to: .bfloat16)), norm(input))
        let gated = relativeDifference(input.converted(to: .bfloat16).geglu(), input.geglu())
        #expect(normalized <= 0x1p-7)
        #expect(gated <= 0x1p-8)
    }

    @Test func layoutOperationsMoveBFloat16ValuesUnchanged() {
        let image = representable([2, 3, 4, 5], seed: 15).toChannelsLast()
        let other = representable([2, 2, 4, 5], seed: 16).toChannelsLast()
        let narrow = image.converted(to: .bfloat16)
        func widened(_ tensor: Tensor) -> [Float] { tensor.converted(to: .float32).scalars }
        let upsampled = widened(narrow.upsampledNearest2x())
        let resized = widened(narrow.resizedNearest(height: 7, width: 9))
        let joined = widened(narrow.concatenatingChannels(other.converted(to: .bfloat16)))
        #expect(upsampled == image.upsampledNearest2x().scalars)
        #expect(resized == image.resizedNearest(height: 7, width: 9).scalars)
        #expect(joined == image.concatenatingChannels(other).scalars)
    }

    @Test func convolutionWithBFloat16WeightsComputesInFloat32() {
        let weight = representable([24, 16, 3, 3], seed: 18), bias = representable([24], seed: 19)
        let reference = Convolution2D(weight: weight, bias: bias, stride: 2, padding: 1)
        let convolution = Convolution2D(weight: weight.converted(to: .bfloat16), bias: bias, inputDType: .float32,
                                        stride: 2, padding: 1)
        #expect(convolution.inputDType == .float32)
        // A second input size packs the kept bfloat16 weights again, from the first packing.
        for (size, seed) in [(9, 17), (32, 20), (9, 17)] {
            let input = representable([2, 16, size, size - 2], seed: UInt64(seed)).toChannelsLast()
            let outputSize = reference.outputSize(height: size, width: size - 2)
            let residual = representable([2, 24, outputSize.height, outputSize.width], seed: 21).toChannelsLast()
            let output = convolution(input, adding: residual, scale: 0.5)
            #expect(output.dtype == .float32)
            #expect(output.scalars == reference(input, adding: residual, scale: 0.5).scalars, "input size \(size)")
        }
    }

    @Test func linearWithBFloat16WeightsComputesInFloat32() {
        let input = representable([3, 5, 32], seed: 21), weight = representable([20, 32], seed: 22)
        let bias = representable([20], seed: 23)
        let expected = Linear(weight: weight, bias: bias)(input, activation: .silu)
        let linear = Linear(weight: weight.converted(to: .bfloat16), bias: bias, inputDType: .float32)
        let output = linear(input, activation: .silu)
        #expect(linear.inputDType == .float32 && output.dtype == .float32)
        #expect(output.scalars == expected.scalars)
        #expect(linear(input.reshaped([15, 32]), activation: .silu).scalars == expected.scalars)
    }
}
