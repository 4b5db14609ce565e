import Foundation
import Testing
@_spi(Benchmarking) @testable import ParadiffuseTensors

struct CausalAttentionTests {
    /// Square (self-attention) and rectangular shapes; the mask is aligned top-left as torch's `is_causal`.
    @Test(arguments: [(6, 6), (4, 7), (7, 3)])
    func causalAttentionMatchesDirectLoops(queries: Int, keys: Int) {
        let (batch, heads, headSize) = (2, 3, 4)
        let width = heads * headSize
        let query = testValues(batch * queries * width, seed: 50).map { 3 * $0 }
        let key = testValues(batch * keys * width, seed: 51)
        let value = testValues(batch * keys * width, seed: 52)
        let output = ScaledDotProductAttention.compute(
            query: Tensor(shape: [batch, queries, width], scalars: query),
            key: Tensor(shape: [batch, keys, width], scalars: key),
            value: Tensor(shape: [batch, keys, width], scalars: value), heads: heads, causal: true)
        var expected = [Float](repeating: 0, count: batch * queries * width)
        let scale = 1 / Float(headSize).squareRoot()
        for b in 0..<batch { for h in 0..<heads { for q in 0..<queries {
            let visible = min(q + 1, keys)
            let scores = (0..<visible).map { k in
                (0..<headSize).reduce(Float(0)) { sum, d in
                    sum + query[(b * queries + q) * width + h * headSize + d] * key[(b * keys + k) * width + h * headSize + d]
                } * scale
            }
            let largest = scores.max()!
            let weights = scores.map { exp($0 - largest) }
            let total = weights.reduce(0, +)
            for d in 0..<headSize {
                expected[(b * queries + q) * width + h * headSize + d] = (0..<visible).reduce(Float(0)) { sum, k in
                    sum + weights[k] / total * value[(b * keys + k) * width + h * headSize + d]
                }
            }
        } } }
        #expect(maxDifference(output.scalars, expected) < 1e-5)
    }

    /// The unfused path with enough tokens that the queries are processed in several chunks: row `i` must equal
    /// unmasked attention of that query over the first `i + 1` keys, on both sides of each chunk boundary.
    @Test func causalMaskFollowsTheQueryChunks() {
        let (tokens, heads, headSize) = (2100, 8, 4)
        let width = heads * headSize
        let rowsPerChunk = ScaledDotProductAttention.scoreBudgetBytes / (heads * tokens * 4)
        #expect(rowsPerChunk < tokens / 2)
        let query = Tensor(shape: [1, tokens, width], scalars: testValues(tokens * width, seed: 53))
        let key = Tensor(shape: [1, tokens, width], scalars: testValues(tokens * width, seed: 54))
        let value = Tensor(shape: [1, tokens, width], scalars: testValues(tokens * width, seed: 55))
        let output = ScaledDotProductAttention.unfused(query: query, key: key, value: value, heads: heads, causal: true)
            .scalars
        for row in [0, rowsPerChunk - 1, rowsPerChunk, rowsPerChunk + 1, 2 * rowsPerChunk + 5, tokens - 1] {
            let visible = row + 1
            let alone = ScaledDotProductAttention.unfused(
                query: query.reshaped([tokens, width]).batchItems(row..<row + 1).reshaped([1, 1, width]),
                key: key.reshaped([tokens, width]).batchItems(0..<visible).reshaped([1, visible, width]),
                value: value.reshaped([tokens, width]).batchItems(0..<visible).reshaped([1, visible, width]),
                heads: heads)
            #expect(maxDifference(Array(output[row * width..<(row + 1) * width]), alone.scalars) < 1e-6, "row \(row)")
        }
    }
}
