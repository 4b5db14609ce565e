/// An n-dimensional array of numbers with value semantics (copy on write).
public struct Tensor: @unchecked Sendable {
    public let shape: [Int]
    public let dtype: DType
    public let layout: Layout
    var storage: TensorStorage

    public var count: Int { shape.reduce(1, *) }
    public var rank: Int { shape.count }

    init(shape: [Int], dtype: DType = .float32, layout: Layout = .rowMajor, storage: TensorStorage) {
        precondition(storage.byteCount >= shape.reduce(1, *) * dtype.byteSize, "storage smaller than shape \(shape)")
        precondition(layout == .rowMajor || shape.count == 4, "channelsLast needs a 4-D shape, got \(shape)")
        self.shape = shape
        self.dtype = dtype
        self.layout = layout
        self.storage = storage
    }

    /// An uninitialized tensor, for kernels that write every element.
    public init(uninitializedShape shape: [Int], dtype: DType = .float32, layout: Layout = .rowMajor) {
        self.init(shape: shape, dtype: dtype, layout: layout,
                  storage: TensorStorage(byteCount: shape.reduce(1, *) * dtype.byteSize))
    }

    public init(zeros shape: [Int], layout: Layout = .rowMajor) {
        self.init(uninitializedShape: shape, layout: layout)
        storage.bytes.initializeMemory(as: UInt8.self, repeating: 0, count: storage.byteCount)
    }

    public init(shape: [Int], repeating value: Float) {
        self.init(uninitializedShape: shape)
        storage.bytes.initializeMemory(as: Float.self, repeating: value, count: count)
    }

    /// A row-major float32 tensor with the given elements.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.reduce(1, *) == scalars.count,
                     "\(scalars.count) scalars do not fill shape \(shape)")
        self.init(uninitializedShape: shape)
        scalars.withUnsafeBufferPointer { source in
            storage.bytes.copyMemory(from: source.baseAddress!, byteCount: source.count * 4)
        }
    }

    /// The elements in memory order (row-major unless `layout` says otherwise).
    public var scalars: [Float] {
        withUnsafeBufferPointer { Array($0) }
    }

    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        precondition(dtype == .float32, "float access to a \(dtype) tensor")
        return try body(UnsafeBufferPointer(start: storage.bytes.assumingMemoryBound(to: Float.self), count: count))
    }

    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        precondition(dtype == .float32, "float access to a \(dtype) tensor")
        if !isKnownUniquelyReferenced(&storage) || !storage.isWritable { storage = storage.copy() }
        return try body(UnsafeMutableBufferPointer(start: storage.bytes.assumingMemoryBound(to: Float.self),
                                                   count: count))
    }

    /// Raw bytes, for the backend and for writers.
    public var unsafeRawPointer: UnsafeRawPointer { UnsafeRawPointer(storage.bytes) }

    /// The same elements under another shape of equal count (row-major tensors only).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(layout == .rowMajor, "reshape of a channelsLast tensor")
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        return Tensor(shape: newShape, dtype: dtype, layout: layout, storage: storage)
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        "Tensor(\(shape), \(dtype)\(layout == .channelsLast ? ", channelsLast" : ""))"
    }
}
