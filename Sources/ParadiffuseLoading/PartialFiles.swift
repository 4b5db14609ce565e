import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The temporary files `AtomicFile` is writing, removed when SIGINT, SIGTERM or SIGHUP ends the process before
/// they are complete (the signal then ends it as it would have). Paths sit in fixed slots allocated up front, so
/// the handler only reads memory and calls `unlink`, both safe in a signal handler.
enum PartialFiles {
    private static let slotCount = 64
    private static let slotBytes = Int(PATH_MAX)
    private static let signals = [SIGINT, SIGTERM, SIGHUP]
    nonisolated(unsafe) private static let slots: UnsafeMutablePointer<CChar> = {
        let slots = UnsafeMutablePointer<CChar>.allocate(capacity: slotCount * slotBytes)
        slots.initialize(repeating: 0, count: slotCount * slotBytes)
        return slots
    }()
    private static let lock = NSLock()
    nonisolated(unsafe) private static var handlersInstalled = false

    /// Records `path` until `body` returns; a path too long for a slot, or more files at once than slots, are
    /// written without the clean-up.
    static func whileWriting<Result>(_ path: String, _ body: () throws -> Result) rethrows -> Result {
        let slot = claim(path)
        defer { slot.map(release) }
        return try body()
    }

    private static func claim(_ path: String) -> Int? {
        let bytes = Array(path.utf8)
        guard bytes.count < slotBytes else { return nil }
        return lock.withLock {
            installHandlers()
            guard let slot = (0..<slotCount).first(where: { slots[$0 * slotBytes] == 0 }) else { return nil }
            // The first byte marks the slot in use: written last, so that the handler never reads half a path.
            let start = slots + slot * slotBytes
            start[bytes.count] = 0
            for (offset, byte) in bytes.enumerated().reversed() { start[offset] = CChar(bitPattern: byte) }
            return slot
        }
    }

    private static func release(_ slot: Int) {
        lock.withLock { slots[slot * slotBytes] = 0 }
    }

    /// Installs the handler for each signal the process does not ignore or handle already.
    private static func installHandlers() {
        guard !handlersInstalled else { return }
        handlersInstalled = true
        for signal in signals {
            var current = sigaction()
            guard sigaction(signal, nil, &current) == 0, current.__sigaction_handler.sa_handler == nil else { continue }
            var action = sigaction()
            action.__sigaction_handler.sa_handler = removeAndResignal
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, nil)
        }
    }

    /// Removes every recorded file: the signal handler's work before it restores the signal's default action and
    /// raises it again.
    static func removeAll() { removeAll(matching: nil, length: 0) }

    /// Removes the recorded files whose paths start with `prefix` only, so that a test of the handler leaves the
    /// files other tests are writing alone.
    static func removeAll(under prefix: String) { prefix.withCString { removeAll(matching: $0, length: strlen($0)) } }

    /// Reads only the slots and calls only `strncmp` and `unlink`, all safe in a signal handler.
    private static func removeAll(matching prefix: UnsafePointer<CChar>?, length: Int) {
        for slot in 0..<slotCount where slots[slot * slotBytes] != 0 {
            let path = slots + slot * slotBytes
            if let prefix, strncmp(path, prefix, length) != 0 { continue }
            unlink(path)
        }
    }
}

private let removeAndResignal: @convention(c) (Int32) -> Void = { signal in
    PartialFiles.removeAll()
    var action = sigaction()
    action.__sigaction_handler.sa_handler = nil
    sigaction(signal, &action, nil)
    raise(signal)
}
