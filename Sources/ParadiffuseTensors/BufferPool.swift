import Foundation

/// Activation buffers freed by tensors, kept for the next allocation of the same size, so that a model run again
/// and again (a denoising loop) reuses its buffers instead of returning them to the system and faulting fresh zeroed
/// pages back in at every step. Buffers smaller than `minimumByteCount` are left to `malloc`, which recycles those
/// by itself. At most `capacity` bytes are kept idle: when a freed buffer does not fit, the sizes used least
/// recently are released first (such as the unpacked copies of weights freed once packed, which never recur).
final class BufferPool: @unchecked Sendable {
    static let shared = BufferPool(capacity: 384 << 20)
    static let minimumByteCount = 256 << 10

    let capacity: Int
    private var idle: [Int: [UnsafeMutableRawPointer]] = [:]
    private var lastUse: [Int: Int] = [:]
    private var uses = 0
    private(set) var idleBytes = 0
    private let lock = NSLock()

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// A buffer of `byteCount` bytes aligned to `TensorStorage.alignment`, reused if one is idle; its contents are
    /// whatever the last owner left.
    func take(byteCount: Int) -> UnsafeMutableRawPointer {
        if byteCount >= Self.minimumByteCount, let reused = lock.withLock({ () -> UnsafeMutableRawPointer? in
            noteUse(of: byteCount)
            guard let buffer = idle[byteCount]?.popLast() else { return nil }
            idleBytes -= byteCount
            return buffer
        }) {
            return reused
        }
        return UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: TensorStorage.alignment)
    }

    /// Takes back a buffer from `take(byteCount:)`.
    func give(_ buffer: UnsafeMutableRawPointer, byteCount: Int) {
        guard byteCount >= Self.minimumByteCount, byteCount <= capacity else { return buffer.deallocate() }
        let released = lock.withLock { () -> [UnsafeMutableRawPointer] in
            noteUse(of: byteCount)
            var released = [UnsafeMutableRawPointer]()
            while idleBytes + byteCount > capacity, let stalest = lastUse.filter({ idle[$0.key] != nil })
                .min(by: { $0.value < $1.value })?.key {
                let buffers = idle.removeValue(forKey: stalest)!
                idleBytes -= stalest * buffers.count
                released += buffers
            }
            idle[byteCount, default: []].append(buffer)
            idleBytes += byteCount
            return released
        }
        for buffer in released { buffer.deallocate() }
    }

    private func noteUse(of byteCount: Int) {
        uses += 1
        lastUse[byteCount] = uses
    }
}
