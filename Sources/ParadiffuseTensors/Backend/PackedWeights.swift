import CDNNL

/// A layer's weights in the layouts its primitives asked for. Until the first packing they are kept as given
/// (often memory-mapped from the weights file); after it only packed copies remain, and later layouts are
/// packed from the first one, so the unpacked weights are not held twice.
///
/// bfloat16 weights under float32 layouts (`Precision.bfloat16Weights`) stay bfloat16 when packed — the packed
/// float32 layout, element by element, in half the memory — and are widened to float32 for each call.
struct PackedWeights {
    private struct Entry {
        let layout: MemoryDescriptor
        let storage: TensorStorage
    }

    /// Whether the elements are bfloat16 for float32 layouts.
    private let keepsBFloat16: Bool
    private var source: Entry
    private var packed: [Entry] = []

    /// `tensor` described by `layout`, whose data type is the arithmetic's: a bfloat16 tensor under a float32
    /// layout is kept as bfloat16.
    init(_ tensor: Tensor, layout: MemoryDescriptor) {
        self.init(storage: tensor.storage, layout: layout,
                  keepsBFloat16: tensor.dtype == .bfloat16 && layout.dataType == dnnl_f32)
    }

    init(storage: TensorStorage, layout: MemoryDescriptor, keepsBFloat16: Bool = false) {
        storage.isRecycled = false
        source = Entry(layout: layout, storage: storage)
        self.keepsBFloat16 = keepsBFloat16
    }

    /// The weights laid out as `layout`, packed on first request. Callers serialize calls.
    mutating func packed(for layout: MemoryDescriptor) -> PackedWeightStorage {
        if let existing = packed.first(where: { $0.layout.isEqual(to: layout) }) { return view(of: existing) }
        let storage: TensorStorage
        if source.layout.isEqual(to: layout) {
            storage = source.storage
        } else if keepsBFloat16 {
            let wide = Self.widened(source.storage, count: source.layout.byteSize / 4)
            storage = Self.narrowed(reordered(UnsafeRawPointer(wide.bytes), from: source.layout, to: layout),
                                    count: layout.byteSize / 4)
        } else {
            storage = reordered(UnsafeRawPointer(source.storage.bytes), from: source.layout, to: layout)
        }
        storage.isRecycled = false
        let entry = Entry(layout: layout, storage: storage)
        packed.append(entry)
        source = entry
        return view(of: entry)
    }

    private func view(of entry: Entry) -> PackedWeightStorage {
        keepsBFloat16 ? .bfloat16(entry.storage, count: entry.layout.byteSize / 4) : .ready(entry.storage)
    }

    fileprivate static func widened(_ storage: TensorStorage, count: Int) -> TensorStorage {
        Tensor(shape: [count], dtype: .bfloat16, storage: storage).converted(to: .float32).storage
    }

    private static func narrowed(_ storage: TensorStorage, count: Int) -> TensorStorage {
        Tensor(shape: [count], dtype: .float32, storage: storage).converted(to: .bfloat16).storage
    }
}

/// Packed weights as a primitive reads them: ready, or kept as `count` bfloat16 values to widen for each call.
enum PackedWeightStorage {
    case ready(TensorStorage)
    case bfloat16(TensorStorage, count: Int)

    /// The weights in the primitive's data type, for one call.
    func forCall() -> TensorStorage {
        switch self {
        case .ready(let storage): storage
        case .bfloat16(let storage, let count): PackedWeights.widened(storage, count: count)
        }
    }
}
