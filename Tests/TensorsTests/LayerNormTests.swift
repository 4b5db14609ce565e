import Foundation
import Testing
@testable import ParadiffuseTensors

struct LayerNormTests {
    @Test(arguments: [Float(1e-5), 0.5])
    func layerNormMatchesDefinitionOverTheLastDimension(epsilon: Float) {
        let (rows, features) = (2 * 7, 48)
        // An offset far from zero, as in a residual stream, so the mean has to be removed accurately.
        let input = testValues(rows * features, seed: 30).map { 3 + 2 * $0 }
        let weight = testValues(features, seed: 31), bias = testValues(features, seed: 32)
        let norm = LayerNorm(weight: Tensor(shape: [features], scalars: weight),
                             bias: Tensor(shape: [features], scalars: bias), epsilon: epsilon)
        let output = norm(Tensor(shape: [2, 7, features], scalars: input))
        var expected = [Float]()
        for row in 0..<rows {
            let values = input[row * features..<(row + 1) * features].map(Double.init)
            let mean = values.reduce(0, +) / Double(features)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(features)
            for (feature, value) in values.enumerated() {
                expected.append(Float((value - mean) / (variance + Double(epsilon)).squareRoot()) * weight[feature]
                                + bias[feature])
            }
        }
        #expect(output.shape == [2, 7, features])
        #expect(maxDifference(output.scalars, expected) < 1e-5)
    }

    @Test func constantRowsNormalizeToTheBias() {
        let features = 5
        let bias = testValues(features, seed: 33)
        let norm = LayerNorm(weight: Tensor(shape: [features], scalars: testValues(features, seed: 34)),
                             bias: Tensor(shape: [features], scalars: bias), epsilon: 1e-5)
        let output = norm(Tensor(shape: [3, features], repeating: 4.25))
        #expect(output.scalars == Array([[Float]](repeating: bias, count: 3).joined()))
    }
}
