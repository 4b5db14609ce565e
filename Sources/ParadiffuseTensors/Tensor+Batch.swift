/// The outermost dimension as a batch: every layout keeps one batch item contiguous.
extension Tensor {
    public var batchSize: Int { shape[0] }
    public var itemShape: [Int] { Array(shape.dropFirst()) }
    var itemCount: Int { shape.dropFirst().reduce(1, *) }

    /// Items `range` of the batch, copied.
    public func batchItems(_ range: Range<Int>) -> Tensor {
        precondition(range.lowerBound >= 0 && range.upperBound <= batchSize, "batch range \(range) of \(shape)")
        let result = Tensor(uninitializedShape: [range.count] + itemShape, dtype: dtype, layout: layout)
        let itemBytes = itemCount * dtype.byteSize
        result.storage.bytes.copyMemory(from: storage.bytes + range.lowerBound * itemBytes,
                                        byteCount: range.count * itemBytes)
        return result
    }

    public func batchItem(_ index: Int) -> Tensor { batchItems(index..<index + 1) }

    /// The tensors joined along the batch dimension; all share item shape, dtype and layout.
    public static func concatenatingBatches(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty, "nothing to concatenate")
        let first = parts[0]
        for part in parts {
            precondition(part.itemShape == first.itemShape && part.dtype == first.dtype && part.layout == first.layout,
                         "cannot concatenate \(part) with \(first)")
        }
        let total = parts.reduce(0) { $0 + $1.batchSize }
        let result = Tensor(uninitializedShape: [total] + first.itemShape, dtype: first.dtype, layout: first.layout)
        var offset = 0
        for part in parts {
            let bytes = part.count * part.dtype.byteSize
            (result.storage.bytes + offset).copyMemory(from: part.storage.bytes, byteCount: bytes)
            offset += bytes
        }
        return result
    }

    /// The batch repeated `times` times, item by item ([a, b] twice gives [a, b, a, b]).
    public func repeatingBatch(_ times: Int) -> Tensor {
        Tensor.concatenatingBatches(Array(repeating: self, count: times))
    }
}
