import Foundation
import Testing
@testable import ParadiffuseTensors

/// The flash-style kernel against softmax attention computed in double precision, on shapes that are not multiples
/// of its blocks (64 queries × 256 keys, 16-float vectors): odd token counts, a single key, head sizes 8–160, more
/// queries than keys and the reverse under the causal mask, several interleaved heads per token.
struct FusedAttentionTests {
    struct Shape: CustomTestStringConvertible, Sendable {
        let batch, heads, queries, keys, headSize: Int
        let causal: Bool
        var testDescription: String {
            "\(batch)x\(queries)x\(keys), \(heads) heads of \(headSize)\(causal ? ", causal" : "")"
        }
    }

    static let shapes = [
        Shape(batch: 2, heads: 3, queries: 65, keys: 77, headSize: 40, causal: false),
        Shape(batch: 1, heads: 2, queries: 130, keys: 130, headSize: 80, causal: true),
        Shape(batch: 2, heads: 2, queries: 67, keys: 300, headSize: 8, causal: false),
        Shape(batch: 1, heads: 2, queries: 70, keys: 1, headSize: 160, causal: false),
        Shape(batch: 1, heads: 2, queries: 129, keys: 300, headSize: 64, causal: true),
        Shape(batch: 1, heads: 1, queries: 300, keys: 5, headSize: 40, causal: true),
        Shape(batch: 2, heads: 2, queries: 1, keys: 77, headSize: 160, causal: false),
    ]

    static let float32Kernels = FusedAttention.Kernel.all.filter { $0.isAvailable && !$0.isBFloat16 }
    static let bfloat16Kernels = FusedAttention.Kernel.all.filter { $0.isAvailable && $0.isBFloat16 }

    struct Inputs {
        let query, key, value: Tensor
        let expected: [Float]
    }

    /// Queries scaled by 4 so the softmax is peaked, as in trained models, and the running maximum changes often.
    static func inputs(_ shape: Shape) -> Inputs {
        let width = shape.heads * shape.headSize
        let query = testValues(shape.batch * shape.queries * width, seed: 70).map { 4 * $0 }
        let key = testValues(shape.batch * shape.keys * width, seed: 71)
        let value = testValues(shape.batch * shape.keys * width, seed: 72)
        return Inputs(query: Tensor(shape: [shape.batch, shape.queries, width], scalars: query),
                      key: Tensor(shape: [shape.batch, shape.keys, width], scalars: key),
                      value: Tensor(shape: [shape.batch, shape.keys, width], scalars: value),
                      expected: doublePrecisionAttention(query: query, key: key, value: value, shape: shape))
    }

    static func doublePrecisionAttention(query: [Float], key: [Float], value: [Float], shape: Shape) -> [Float] {
        let (d, width) = (shape.headSize, shape.heads * shape.headSize)
        let scale = 1 / Double(d).squareRoot()
        var output = [Float](repeating: 0, count: shape.batch * shape.queries * width)
        for b in 0..<shape.batch { for h in 0..<shape.heads { for q in 0..<shape.queries {
            let visible = shape.causal ? min(q + 1, shape.keys) : shape.keys
            let queryRow = (b * shape.queries + q) * width + h * d
            let scores = (0..<visible).map { k in
                let keyRow = (b * shape.keys + k) * width + h * d
                return (0..<d).reduce(0.0) { $0 + Double(query[queryRow + $1]) * Double(key[keyRow + $1]) } * scale
            }
            let largest = scores.max()!
            let weights = scores.map { Foundation.exp($0 - largest) }
            let total = weights.reduce(0, +)
            for c in 0..<d {
                let mixed = (0..<visible).reduce(0.0) { sum, k in
                    sum + weights[k] * Double(value[(b * shape.keys + k) * width + h * d + c])
                }
                output[queryRow + c] = Float(mixed / total)
            }
        } } }
        return output
    }

    /// Largest difference relative to the largest reference magnitude.
    static func relativeError(_ output: [Float], _ expected: [Float]) -> Float {
        maxDifference(output, expected) / expected.map(abs).max()!
    }

    @Test(arguments: shapes, float32Kernels)
    func float32KernelMatchesDoublePrecisionSoftmaxAttention(shape: Shape, kernel: FusedAttention.Kernel) {
        let inputs = Self.inputs(shape)
        let output = FusedAttention.compute(query: inputs.query, key: inputs.key, value: inputs.value,
                                            heads: shape.heads, scale: 1 / Float(shape.headSize).squareRoot(),
                                            causal: shape.causal, kernel: kernel)
        #expect(Self.relativeError(output.scalars, inputs.expected) < 1e-5)
    }

    /// bfloat16 has 8 significant bits (relative rounding 2⁻⁹ ≈ 0.2%) for Q, K, the softmax weights and V; with float32
    /// accumulation the output stays within 1% of the largest output magnitude.
    @Test(arguments: shapes, bfloat16Kernels)
    func bfloat16KernelStaysWithinBFloat16RoundingOfDoublePrecision(shape: Shape, kernel: FusedAttention.Kernel) {
        let inputs = Self.inputs(shape)
        let output = FusedAttention.compute(query: inputs.query, key: inputs.key, value: inputs.value,
                                            heads: shape.heads, scale: 1 / Float(shape.headSize).squareRoot(),
                                            causal: shape.causal, kernel: kernel)
        let error = Self.relativeError(output.scalars, inputs.expected)
        #expect(error < 1e-2)
        #expect(error > 1e-5, "bfloat16 arithmetic should differ from float32 (got \(error))")
    }

    /// The kernels round float32 inputs to bfloat16 as they pack them, so bfloat16 inputs give the same result,
    /// rounded to bfloat16 as it is written.
    @Test(arguments: shapes, bfloat16Kernels)
    func bfloat16TensorsGiveTheFloat32TensorsResultRounded(shape: Shape, kernel: FusedAttention.Kernel) {
        let inputs = Self.inputs(shape)
        let scale = 1 / Float(shape.headSize).squareRoot()
        let fromFloat32 = FusedAttention.compute(query: inputs.query, key: inputs.key, value: inputs.value,
                                                 heads: shape.heads, scale: scale, causal: shape.causal, kernel: kernel)
        let fromBFloat16 = FusedAttention.compute(query: inputs.query.converted(to: .bfloat16),
                                                  key: inputs.key.converted(to: .bfloat16),
                                                  value: inputs.value.converted(to: .bfloat16),
                                                  heads: shape.heads, scale: scale, causal: shape.causal, kernel: kernel)
        #expect(fromBFloat16.dtype == .bfloat16)
        #expect(fromBFloat16.converted(to: .float32).scalars == fromFloat32.converted(to: .bfloat16).converted(to: .float32).scalars)
    }

    @Test(arguments: CPUCapabilities.InstructionSet.allCases)
    func eachPrecisionSelectsTheFastestKernelOfTheInstructionSet(instructionSet: CPUCapabilities.InstructionSet) {
        let usable = FusedAttention.Kernel.all.filter {
            $0.isAvailable && $0.instructionSet <= instructionSet
        }
        let float32 = FusedAttention.Kernel.fastest(for: .float32, instructionSet: instructionSet)
        let bfloat16 = FusedAttention.Kernel.fastest(for: .bfloat16, instructionSet: instructionSet)
        #expect(float32 == usable.filter { !$0.isBFloat16 }.last)
        #expect(bfloat16 == (usable.filter(\.isBFloat16).last ?? float32))
    }
}
