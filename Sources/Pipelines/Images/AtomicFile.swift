import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that it appears complete under its name or not at all: the bytes go to a temporary file in
/// the same folder, which is then renamed (or, when nothing may be replaced, hard-linked) to the final name.
enum AtomicFile {
    static func write(_ data: Data, to url: URL, overwrite: Bool) throws {
        let folder = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ImageError.missingOutputFolder(url)
        }
        if !overwrite && FileManager.default.fileExists(atPath: url.path) { throw ImageError.outputExists(url) }

        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).partial")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw ImageError.writeFailed(url, reason: "cannot create the temporary file \(temporary.path)")
        }
        defer { try? FileManager.default.removeItem(at: temporary) }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            try handle.write(contentsOf: data)
            try handle.synchronize()
        } catch {
            throw ImageError.writeFailed(url, reason: error.localizedDescription)
        }
        try overwrite ? replace(url, with: temporary) : publish(temporary, as: url)
    }

    private static func replace(_ url: URL, with temporary: URL) throws {
        guard rename(temporary.path, url.path) == 0 else {
            throw ImageError.writeFailed(url, reason: String(cString: strerror(errno)))
        }
    }

    /// Links the temporary file under the final name, which fails if a file of that name appeared meanwhile.
    /// On file systems without hard links it falls back to a rename after a last check.
    private static func publish(_ temporary: URL, as url: URL) throws {
        guard link(temporary.path, url.path) != 0 else { return }
        let failure = errno
        if failure == EEXIST { throw ImageError.outputExists(url) }
        guard [EPERM, EOPNOTSUPP, EMLINK].contains(failure) else {
            throw ImageError.writeFailed(url, reason: String(cString: strerror(failure)))
        }
        if FileManager.default.fileExists(atPath: url.path) { throw ImageError.outputExists(url) }
        try replace(url, with: temporary)
    }
}
