/// A 64-byte aligned buffer owned by one or more tensors.
final class TensorStorage: @unchecked Sendable {
    static let alignment = 64

    let byteCount: Int
    let bytes: UnsafeMutableRawPointer
    private let owner: AnyObject?

    init(byteCount: Int) {
        self.byteCount = byteCount
        self.bytes = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: Self.alignment)
        self.owner = nil
    }

    /// Wraps memory owned by `owner` (e.g. a memory-mapped file), which is kept alive.
    init(borrowing bytes: UnsafeMutableRawPointer, byteCount: Int, owner: AnyObject) {
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
        if owner == nil { bytes.deallocate() }
    }
}
