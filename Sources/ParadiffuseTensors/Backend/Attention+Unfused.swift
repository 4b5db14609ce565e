import CDNNL
import Foundation

/// The formulation the fused kernel replaced, still used for float32 heads wider than 160 and measured against in
/// `Tools/bench/compare_attention.py`: two oneDNN matmuls reading and writing the interleaved heads through strides, with a oneDNN softmax between them. Queries
/// are processed in chunks so the score matrix stays within `scoreBudgetBytes`; the causal mask sets the scores of
/// later keys to −∞ before the softmax.
extension ScaledDotProductAttention {
    @_spi(Benchmarking)
    public static let scoreBudgetBytes = 64 << 20

    private struct Key: Hashable {
        let batch, heads, queries, keys, headSize: Int
        let queryStride, keyStride, valueStride: Int
    }

    private final class Compiled {
        let scores: Primitive
        let softmax: Primitive
        let mix: Primitive
        init(scores: Primitive, softmax: Primitive, mix: Primitive) {
            self.scores = scores
            self.softmax = softmax
            self.mix = mix
        }
    }

    nonisolated(unsafe) private static var cache: [Key: Compiled] = [:]
    private static let lock = NSLock()

    /// The same contract as `compute` with float32 arithmetic.
    @_spi(Benchmarking)
    public static func unfused(query: Tensor, key: Tensor, value: Tensor, heads: Int, scale: Float? = nil,
                               causal: Bool = false) -> Tensor {
        let (batch, queries, width) = (query.shape[0], query.shape[1], query.shape[2])
        let keys = key.shape[1]
        let headSize = width / heads
        let scale = scale ?? 1 / Float(headSize).squareRoot()
        let output = Tensor(uninitializedShape: query.shape)
        let rowsPerChunk = max(1, min(queries, scoreBudgetBytes / max(1, batch * heads * keys * 4)))
        let scores = TensorStorage(byteCount: batch * heads * rowsPerChunk * keys * 4)
        var start = 0
        while start < queries {
            let rows = min(rowsPerChunk, queries - start)
            let plan = compiled(Key(batch: batch, heads: heads, queries: rows, keys: keys, headSize: headSize,
                                    queryStride: queries * width, keyStride: keys * width, valueStride: keys * width),
                                scale: scale)
            let offset = start * width * 4
            plan.scores.run([query.unsafeRawPointer + offset, key.unsafeRawPointer, UnsafeRawPointer(scores.bytes)])
            if causal {
                hideKeysAfterQueries(scores.bytes.assumingMemoryBound(to: Float.self), firstQuery: start, queries: rows,
                                     keys: keys, slices: batch * heads)
            }
            plan.softmax.run([UnsafeRawPointer(scores.bytes), UnsafeRawPointer(scores.bytes)])
            plan.mix.run([UnsafeRawPointer(scores.bytes), value.unsafeRawPointer, output.unsafeRawPointer + offset])
            start += rows
        }
        return output
    }

    /// In scores `[slices, queries, keys]` for queries `firstQuery...`, sets every key after its query to −∞.
    /// (oneDNN runs its reference matmul when asked to add a broadcast mask, so the mask is applied here.)
    private static func hideKeysAfterQueries(_ scores: UnsafeMutablePointer<Float>, firstQuery: Int, queries: Int,
                                             keys: Int, slices: Int) {
        for slice in 0..<slices {
            for query in 0..<queries {
                let firstHidden = firstQuery + query + 1
                guard firstHidden < keys else { break }
                (scores + (slice * queries + query) * keys + firstHidden)
                    .update(repeating: -.infinity, count: keys - firstHidden)
            }
        }
    }

    private static func compiled(_ key: Key, scale: Float) -> Compiled {
        lock.withLock {
            if let existing = cache[key] { return existing }
            let (n, h, tq, tk, d) = (key.batch, key.heads, key.queries, key.keys, key.headSize)
            let width = h * d
            let query = MemoryDescriptor(shape: [n, h, tq, d], strides: [key.queryStride, d, width, 1])
            let keysTransposed = MemoryDescriptor(shape: [n, h, d, tk], strides: [key.keyStride, d, 1, width])
            let scores = MemoryDescriptor(shape: [n, h, tq, tk], tag: dnnl_abcd)
            let value = MemoryDescriptor(shape: [n, h, tk, d], strides: [key.valueStride, d, width, 1])
            let output = MemoryDescriptor(shape: [n, h, tq, d], strides: [key.queryStride, d, width, 1])
            var softmaxDescriptor: dnnl_primitive_desc_t?
            DNNL.check(dnnl_softmax_forward_primitive_desc_create(&softmaxDescriptor, DNNL.engine, dnnl_forward_inference,
                                                                  dnnl_softmax_accurate, scores.handle, scores.handle,
                                                                  3, nil), "creating a softmax")
            let plan = Compiled(
                scores: makeMatMul(source: query, weights: keysTransposed, bias: nil, destination: scores,
                                   epilogue: Epilogue(scale: scale)),
                softmax: Primitive(descriptor: softmaxDescriptor!, arguments: [Int32(DNNL_ARG_SRC), Int32(DNNL_ARG_DST)]),
                mix: makeMatMul(source: scores, weights: value, bias: nil, destination: output))
            cache[key] = plan
            return plan
        }
    }
}
