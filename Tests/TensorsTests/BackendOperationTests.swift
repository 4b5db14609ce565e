import Foundation
import Testing
@testable import ParadiffuseTensors

struct BackendOperationTests {
    @Test(arguments: [(3, 1, 1, 1), (3, 2, 1, 1), (3, 2, 0, 1), (1, 1, 0, 0)])
    func convolutionMatchesDirectLoops(kernel: Int, stride: Int, before: Int, after: Int) {
        let shape = [2, 5, 9, 7], weightShape = [6, 5, kernel, kernel]
        let input = testValues(shape.reduce(1, *), seed: 1)
        let weight = testValues(weightShape.reduce(1, *), seed: 2)
        let bias = testValues(6, seed: 3)
        let convolution = Convolution2D(weight: Tensor(shape: weightShape, scalars: weight),
                                        bias: Tensor(shape: [6], scalars: bias),
                                        stride: stride, paddingBefore: before, paddingAfter: after)
        let expected = NaiveReference.convolution(input, shape: shape, weight: weight, weightShape: weightShape,
                                                  bias: bias, stride: stride, before: before, after: after)
        let output = convolution(Tensor(shape: shape, scalars: input).toChannelsLast()).toRowMajor()
        #expect(output.shape == expected.shape)
        #expect(maxDifference(output.scalars, expected.values) < 1e-4)
    }

    @Test func convolutionFusesResidualAndScale() {
        let shape = [1, 4, 6, 6], weightShape = [4, 4, 3, 3]
        let input = testValues(shape.reduce(1, *), seed: 4)
        let weight = testValues(weightShape.reduce(1, *), seed: 5)
        let residual = testValues(shape.reduce(1, *), seed: 6)
        let convolution = Convolution2D(weight: Tensor(shape: weightShape, scalars: weight), bias: nil, padding: 1)
        let plain = NaiveReference.convolution(input, shape: shape, weight: weight, weightShape: weightShape,
                                               bias: nil, stride: 1, before: 1, after: 1).values
        let expected = zip(plain, residual).map { ($0 + $1) * 0.5 }
        let output = convolution(Tensor(shape: shape, scalars: input).toChannelsLast(),
                                 adding: Tensor(shape: shape, scalars: residual).toChannelsLast(), scale: 0.5)
        #expect(maxDifference(output.toRowMajor().scalars, expected) < 1e-4)
    }

    @Test func linearFusesActivationAndResidual() {
        let input = testValues(3 * 4 * 8, seed: 7), weight = testValues(5 * 8, seed: 8), bias = testValues(5, seed: 9)
        let residual = testValues(3 * 4 * 5, seed: 10)
        let linear = Linear(weight: Tensor(shape: [5, 8], scalars: weight), bias: Tensor(shape: [5], scalars: bias))
        let output = linear(Tensor(shape: [3, 4, 8], scalars: input), activation: .silu,
                            adding: Tensor(shape: [3, 4, 5], scalars: residual))
        var expected = [Float]()
        for row in 0..<12 {
            for column in 0..<5 {
                var sum = bias[column]
                for k in 0..<8 { sum += input[row * 8 + k] * weight[column * 8 + k] }
                expected.append(sum / (1 + exp(-sum)) + residual[row * 5 + column])
            }
        }
        #expect(output.shape == [3, 4, 5])
        #expect(maxDifference(output.scalars, expected) < 1e-5)
    }

    @Test func attentionMatchesDirectLoopsAcrossHeads() {
        let (batch, queries, keys, heads, headSize) = (2, 7, 5, 3, 4)
        let width = heads * headSize
        let query = testValues(batch * queries * width, seed: 11)
        let key = testValues(batch * keys * width, seed: 12)
        let value = testValues(batch * keys * width, seed: 13)
        let output = ScaledDotProductAttention.compute(
            query: Tensor(shape: [batch, queries, width], scalars: query),
            key: Tensor(shape: [batch, keys, width], scalars: key),
            value: Tensor(shape: [batch, keys, width], scalars: value), heads: heads)
        let expected = NaiveReference.attention(query: query, key: key, value: value, batch: batch, queries: queries,
                                                keys: keys, heads: heads, headSize: headSize)
        #expect(maxDifference(output.scalars, expected) < 1e-5)
    }

    @Test func groupNormMatchesDefinitionWithBiasModulationAndSiLU() {
        let (batch, channels, height, width, groups) = (2, 6, 5, 4, 3)
        let input = testValues(batch * channels * height * width, seed: 14)
        let gamma = testValues(channels, seed: 15), beta = testValues(channels, seed: 16)
        let channelBias = testValues(batch * channels, seed: 17)
        let scale = testValues(batch * channels, seed: 18), shift = testValues(batch * channels, seed: 19)
        let norm = GroupNorm(groups: groups, weight: Tensor(shape: [channels], scalars: gamma),
                             bias: Tensor(shape: [channels], scalars: beta), epsilon: 1e-5)
        let output = norm(Tensor(shape: [batch, channels, height, width], scalars: input).toChannelsLast(),
                          channelBias: Tensor(shape: [batch, channels], scalars: channelBias),
                          modulation: .init(scale: Tensor(shape: [batch, channels], scalars: scale),
                                            shift: Tensor(shape: [batch, channels], scalars: shift)),
                          silu: true).toRowMajor().scalars
        let plane = height * width, perGroup = channels / groups
        var expected = [Float](repeating: 0, count: input.count)
        for b in 0..<batch {
            for g in 0..<groups {
                var values = [Double]()
                for c in g * perGroup..<(g + 1) * perGroup {
                    for p in 0..<plane { values.append(Double(input[(b * channels + c) * plane + p] + channelBias[b * channels + c])) }
                }
                let mean = values.reduce(0, +) / Double(values.count)
                let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
                for c in g * perGroup..<(g + 1) * perGroup {
                    for p in 0..<plane {
                        let x = Double(input[(b * channels + c) * plane + p] + channelBias[b * channels + c])
                        var y = Float((x - mean) / (variance + 1e-5).squareRoot()) * gamma[c] + beta[c]
                        y = y * (1 + scale[b * channels + c]) + shift[b * channels + c]
                        expected[(b * channels + c) * plane + p] = y / (1 + exp(-y))
                    }
                }
            }
        }
        #expect(maxDifference(output, expected) < 1e-5)
    }

    @Test func upsamplingAndConcatenationKeepValuesInPlace() {
        let shape = [1, 2, 2, 3]
        let values = testValues(12, seed: 20)
        let tensor = Tensor(shape: shape, scalars: values).toChannelsLast()
        let upsampled = tensor.upsampledNearest2x().toRowMajor().scalars
        for c in 0..<2 { for y in 0..<4 { for x in 0..<6 {
            #expect(upsampled[(c * 4 + y) * 6 + x] == values[(c * 2 + y / 2) * 3 + x / 2])
        } } }
        let doubled = tensor.map { 2 * $0 }
        let joined = tensor.concatenatingChannels(doubled).toRowMajor().scalars
        #expect(Array(joined[0..<12]) == values)
        #expect(Array(joined[12..<24]) == values.map { 2 * $0 })
    }
}
