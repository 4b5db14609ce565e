import Foundation
import Testing
import ParadiffuseTestSupport
@testable import ParadiffuseTensors

/// Symmetric int8 quantization (`quantize.c`): q = clamp(round-half-even(x / scale), ±127), scale = max |x| / 127.
struct Int8QuantizationTests {
    @Test func wholeTensorQuantizationRoundsHalfToEvenWithTheLargestMagnitudeAt127() {
        // max |x| = 254 sits in the tail after two 16-wide blocks, so scale = 2 only if the tail is read.
        let pattern: [Float] = [200, -200, 5, 7, -5, 0.98, -1, 201.4, 3, -9, 11, 1.02]
        let values = (0..<34).map { pattern[$0 % pattern.count] } + [-254]
        let quantized = Int8Quantized(wholeTensor: Tensor(shape: [5, 7], scalars: values))
        let expectedPattern: [Int8] = [100, -100, 2, 4, -2, 0, 0, 101, 2, -4, 6, 1]
        #expect(quantized.scaleValues == [2])
        #expect(quantized.int8Values == (0..<34).map { expectedPattern[$0 % expectedPattern.count] } + [-127])
    }

    @Test func allZeroInputQuantizesToZerosWithUnitScale() {
        let quantized = Int8Quantized(wholeTensor: Tensor(zeros: [3, 7]))
        #expect(quantized.scaleValues == [1])
        #expect(quantized.int8Values == [Int8](repeating: 0, count: 21))
    }

    @Test func constantInputQuantizesToTheExtremeLevel() {
        let quantized = Int8Quantized(wholeTensor: Tensor(shape: [17], repeating: -0.3))
        #expect(quantized.scaleValues == [Float(0.3) / 127])
        #expect(quantized.int8Values == [Int8](repeating: -127, count: 17))
    }

    @Test func bfloat16InputQuantizesAsItsFloat32Value() {
        let values = Tensor(shape: [3, 13], scalars: testValues(39, seed: 21).map { 3 * $0 })
            .converted(to: .bfloat16)
        let narrow = Int8Quantized(wholeTensor: values), wide = Int8Quantized(wholeTensor: values.converted(to: .float32))
        #expect(narrow.scaleValues == wide.scaleValues)
        #expect(narrow.int8Values == wide.int8Values)
    }

    @Test func rowsGetTheirOwnScaleAndAZeroRowGetsUnitScale() {
        let rows: [Float] = [1.27, -0.6, 0.3, 0, 0, 0, -25.4, 12, 0.05]
        let quantized = Int8Quantized(rowsOf: Tensor(shape: [3, 3], scalars: rows))
        #expect(quantized.scaleValues == [Float(1.27) / 127, 1, Float(25.4) / 127])
        #expect(quantized.int8Values == [127, -60, 30, 0, 0, 0, -127, 60, 0])
    }

    @Test func dequantizedValuesAreWithinHalfAStepOnEveryThread() {
        // Large and of odd length: split over threads, with a short last chunk.
        let count = 300_001
        let values = testValues(count, seed: 22).map { 5 * $0 }
        let quantized = Int8Quantized(wholeTensor: Tensor(shape: [count], scalars: values))
        let scale = quantized.scaleValues[0]
        let largest = values.map(abs).max()!
        let worst = zip(quantized.int8Values, values).map { abs(Float($0) * scale - $1) }.max()!
        #expect(scale == largest / 127)
        #expect(worst <= scale / 2 * (1 + 1e-5))
        #expect(quantized.int8Values.map { abs(Int($0)) }.max() == 127)
    }

    /// Σ q_x·q_w exactly (int32), times the input's scale and each output channel's scale, plus the bias.
    private func dequantizedProduct(_ input: Int8Quantized, rows: Int, _ weights: Int8Quantized, bias: [Float])
        -> [Float] {
        let (x, w, scales) = (input.int8Values, weights.int8Values, weights.scaleValues)
        let inner = x.count / rows, outputs = scales.count
        return (0..<rows * outputs).map { index in
            let (row, output) = (index / outputs, index % outputs)
            var sum = 0
            for k in 0..<inner { sum += Int(x[row * inner + k]) * Int(w[output * inner + k]) }
            return Float(Double(sum) * Double(input.scaleValues[0]) * Double(scales[output]) + Double(bias[output]))
        }
    }

    /// Weights whose rows differ in magnitude by up to 20x, so a wrong scale mask is visible.
    private func unevenRows(_ rows: Int, _ width: Int, seed: UInt64) -> Tensor {
        let values = testValues(rows * width, seed: seed)
        return Tensor(shape: [rows, width], scalars: values.enumerated().map { $0.element * Float($0.offset / width + 1) })
    }

    /// How far an int8 layer's outputs may be from the product of its quantized values: float32 rounding with VNNI;
    /// without it oneDNN halves the int8 weights as it packs them (so that its 16-bit pair sums of `vpmaddubsw`
    /// cannot saturate), rounding each by up to one step: output `o` of row `r` may be off by Σₖ |xᵣₖ| · scaleₒ.
    private func allowedDeviation(_ input: Int8Quantized, rows: Int, _ weights: Int8Quantized, largest: Float)
        -> [Float] {
        let outputs = weights.scaleCount, inner = input.count / rows
        let values = input.int8Values.map { abs(Float($0) * input.scaleValues[0]) }
        return (0..<rows * outputs).map { index in
            let (row, output) = (index / outputs, index % outputs)
            let halving = CPUCapabilities.current.hasInt8DotProducts
                ? 0 : values[row * inner..<(row + 1) * inner].reduce(0, +) * weights.scaleValues[output]
            return halving + 1e-5 * largest
        }
    }

    private func expectWithin(_ actual: [Float], _ expected: [Float], _ allowed: [Float]) {
        for (index, (value, reference)) in zip(actual, expected).enumerated() {
            #expect(abs(value - reference) <= allowed[index], "output \(index)")
        }
    }

    /// Products of extreme int8 pairs of one sign exceed 16 bits two by two: CPUs without VNNI must not saturate
    /// them (oneDNN's AVX2 and AVX-512 kernels multiply pairs with `vpmaddubsw`, which does).
    @Test func int8LinearDoesNotSaturateExtremeProducts() {
        let signs: [Float] = (0..<64).map { $0 < 32 ? 1 : -1 }
        let input = Tensor(shape: [4, 64], scalars: Array([[Float]](repeating: signs, count: 4).joined()))
        let rows: [[Float]] = (1...3).map { magnitude in signs.map { $0 * Float(magnitude) } }
        let weight = Tensor(shape: [3, 64], scalars: Array(rows.joined()))
        let output = Linear(quantizing: weight, bias: nil, inputDType: .float32)(input)
        let expected: [Float] = (0..<12).map { Float(64 * ($0 % 3 + 1)) }
        expectWithin(output.scalars, expected, allowedDeviation(Int8Quantized(wholeTensor: input), rows: 4,
                                                                Int8Quantized(rowsOf: weight), largest: 192))
    }

    @Test func int8LinearEqualsTheProductOfItsQuantizedValues() {
        let input = Tensor(shape: [3, 5, 32], scalars: testValues(480, seed: 23).map { 2 * $0 })
        let weight = unevenRows(20, 32, seed: 24), bias = Tensor(shape: [20], scalars: testValues(20, seed: 25))
        let residual = Tensor(shape: [3, 5, 20], scalars: testValues(300, seed: 26))
        let linear = Linear(quantizing: weight, bias: bias, inputDType: .float32)
        let output = linear(input, adding: residual, scale: 0.5)
        let (quantizedInput, quantizedWeight) = (Int8Quantized(wholeTensor: input), Int8Quantized(rowsOf: weight))
        let product = dequantizedProduct(quantizedInput, rows: 15, quantizedWeight, bias: bias.scalars)
        let expected = zip(product, residual.scalars).map { ($0 + $1) * 0.5 }
        #expect(linear.quantization == .int8 && output.dtype == .float32 && output.shape == [3, 5, 20])
        let allowed = allowedDeviation(quantizedInput, rows: 15, quantizedWeight,
                                       largest: expected.map(abs).max() ?? 0).map { $0 * 0.5 }
        expectWithin(output.scalars, expected, allowed)
    }

    @Test(.bfloat16Arithmetic) func int8LinearTakesBFloat16InputsAndGivesFloat32OnRequest() {
        let input = Tensor(shape: [7, 32], scalars: testValues(224, seed: 27)).converted(to: .bfloat16)
        let weight = unevenRows(12, 32, seed: 28), bias = Tensor(shape: [12], scalars: testValues(12, seed: 29))
        let linear = Linear(quantizing: weight, bias: bias, inputDType: .bfloat16)
        let wide = linear(input, as: .float32), narrow = linear(input)
        let expected = dequantizedProduct(Int8Quantized(wholeTensor: input), rows: 7,
                                          Int8Quantized(rowsOf: weight), bias: bias.scalars)
        let largest = expected.map(abs).max() ?? 0
        #expect(wide.dtype == .float32 && narrow.dtype == .bfloat16)
        #expect(maxDifference(wide.scalars, expected) <= 1e-5 * largest)
        #expect(maxDifference(narrow.converted(to: .float32).scalars, expected) <= 0x1p-8 * largest)
    }

    @Test(arguments: [(9, 7), (4, 12)])
    func int8ConvolutionEqualsTheConvolutionOfItsQuantizedValues(height: Int, width: Int) {
        let shape = [2, 16, height, width]
        let count = shape.reduce(1, *)
        let input = Tensor(shape: shape, scalars: testValues(count, seed: 30).map { 3 * $0 })
        let weight = unevenRows(24, 16 * 9, seed: 31).reshaped([24, 16, 3, 3])
        let bias = Tensor(shape: [24], scalars: testValues(24, seed: 32))
        let convolution = Convolution2D(quantizing: weight, bias: bias, inputDType: .float32, stride: 2,
                                        paddingBefore: 0, paddingAfter: 1)
        let quantizedInput = Int8Quantized(wholeTensor: input), quantizedWeight = Int8Quantized(rowsOf: weight)
        let inputScale = quantizedInput.scaleValues[0], weightScales = quantizedWeight.scaleValues
        let dequantizedWeight = quantizedWeight.int8Values.enumerated().map {
            Float($0.element) * weightScales[$0.offset / (16 * 9)]
        }
        let reference = NaiveReference.convolution(quantizedInput.int8Values.map { Float($0) * inputScale },
                                                   shape: shape, weight: dequantizedWeight, weightShape: weight.shape,
                                                   bias: bias.scalars, stride: 2, before: 0, after: 1)
        let output = convolution(input.toChannelsLast())
        #expect(output.shape == reference.shape && output.layout == .channelsLast)
        let largest = reference.values.map(abs).max() ?? 0
        // Without VNNI each output may be off by Σ |x| · weight scale over its window (see `allowedDeviation`).
        let halving = NaiveReference.convolution(quantizedInput.int8Values.map { abs(Float($0) * inputScale) },
                                                 shape: shape, weight: weightScales.flatMap {
                                                     [Float](repeating: $0, count: 16 * 9)
                                                 }, weightShape: weight.shape, bias: [Float](repeating: 0, count: 24),
                                                 stride: 2, before: 0, after: 1).values
        let allowed = halving.map { (CPUCapabilities.current.hasInt8DotProducts ? 0 : $0) + 1e-5 * largest }
        expectWithin(output.toRowMajor().scalars, reference.values, allowed)
    }
}
