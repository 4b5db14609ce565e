/// Read-only mapped memory (a weights file) that tensors may borrow.
public protocol MappedMemory: AnyObject {
    /// Drops the whole pages inside `range` from resident memory; they stay readable (read again on access).
    func releasePages(of range: UnsafeRawBufferPointer)
}

/// A 64-byte aligned buffer owned by one or more tensors (recycled through `BufferPool`), or read-only memory
/// borrowed from a mapped file.
final class TensorStorage: @unchecked Sendable {
    static let alignment = 64

    let byteCount: Int
    let bytes: UnsafeMutableRawPointer
    private let owner: MappedMemory?

    /// Whether the buffer may be written: borrowed mapped memory is read-only.
    var isWritable: Bool { owner == nil }

    /// Whether the buffer goes back to `BufferPool` when freed (activations) or to the system (weights, whose sizes
    /// do not recur once they are packed).
    var isRecycled = true

    init(byteCount: Int) {
        self.byteCount = byteCount
        self.bytes = BufferPool.shared.take(byteCount: byteCount)
        self.owner = nil
    }

    /// Wraps read-only file-mapped memory that `owner` keeps mapped; see `Tensor.init(mappedBytes:...)`.
    init(mapped bytes: UnsafeMutableRawPointer, byteCount: Int, owner: MappedMemory) {
        self.byteCount = byteCount
        self.bytes = bytes
        self.owner = owner
    }

    func copy() -> TensorStorage {
        let fresh = TensorStorage(byteCount: byteCount)
        fresh.bytes.copyMemory(from: bytes, byteCount: byteCount)
        return fresh
    }

    deinit {
        if let owner {
            owner.releasePages(of: UnsafeRawBufferPointer(start: bytes, count: byteCount))
        } else {
            if isRecycled { BufferPool.shared.give(bytes, byteCount: byteCount) } else { bytes.deallocate() }
        }
    }
}
