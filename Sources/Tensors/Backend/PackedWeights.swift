/// A layer's weights in the layouts its primitives asked for. Until the first packing they are kept as given
/// (often memory-mapped from the weights file); after it only packed copies remain, and later layouts are
/// packed from the first one, so the unpacked weights are not held twice.
struct PackedWeights {
    private var source: (layout: MemoryDescriptor, storage: TensorStorage)
    private var packed: [(layout: MemoryDescriptor, storage: TensorStorage)] = []

    init(_ tensor: Tensor, layout: MemoryDescriptor) {
        self.init(storage: tensor.storage, layout: layout)
    }

    init(storage: TensorStorage, layout: MemoryDescriptor) {
        storage.isRecycled = false
        source = (layout, storage)
    }

    /// The weights laid out as `layout`, packed on first request. Callers serialize calls.
    mutating func packed(for layout: MemoryDescriptor) -> TensorStorage {
        if let existing = packed.first(where: { $0.layout.isEqual(to: layout) }) { return existing.storage }
        let storage = source.layout.isEqual(to: layout)
            ? source.storage : reordered(UnsafeRawPointer(source.storage.bytes), from: source.layout, to: layout)
        storage.isRecycled = false
        packed.append((layout, storage))
        source = (layout, storage)
        return storage
    }
}
