import Foundation
import Testing
@testable import ParadiffuseTensors

struct QuickGeluTests {
    @Test func linearFusesQuickGeluAndResidual() {
        let input = testValues(6 * 9, seed: 40), weight = testValues(7 * 9, seed: 41), bias = testValues(7, seed: 42)
        let residual = testValues(6 * 7, seed: 43)
        let linear = Linear(weight: Tensor(shape: [7, 9], scalars: weight), bias: Tensor(shape: [7], scalars: bias))
        let output = linear(Tensor(shape: [2, 3, 9], scalars: input.map { 3 * $0 }), activation: .quickGelu,
                            adding: Tensor(shape: [2, 3, 7], scalars: residual))
        var expected = [Float]()
        for row in 0..<6 {
            for column in 0..<7 {
                var sum = bias[column]
                for k in 0..<9 { sum += 3 * input[row * 9 + k] * weight[column * 9 + k] }
                expected.append(sum / (1 + exp(-1.702 * sum)) + residual[row * 7 + column])
            }
        }
        #expect(output.shape == [2, 3, 7])
        #expect(maxDifference(output.scalars, expected) < 1e-5)
    }
}
