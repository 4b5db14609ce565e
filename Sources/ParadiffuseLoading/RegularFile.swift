import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opening files the program reads (weights, configurations, tokenizer files, images) so that no path can hang or
/// exhaust memory: only regular files are accepted (a FIFO or a device is refused instead of blocking in `open`
/// or `read`), and a whole-file read checks the size against a limit before allocating anything. Errors carry the
/// system's reason (`No such file or directory`, `Permission denied`, …).
public enum RegularFile {
    /// Configurations and tokenizer files: the largest tokenizer.json files in use are tens of megabytes.
    public static let textByteLimit = 256 << 20

    /// An open descriptor of the regular file at `url` and its size; the caller closes it.
    static func openForReading(_ url: URL) throws -> (descriptor: Int32, size: Int) {
        let descriptor = url.withUnsafeFileSystemRepresentation { path in
            path.map { open($0, O_RDONLY | O_NONBLOCK | O_CLOEXEC) } ?? -1
        }
        guard descriptor >= 0 else { throw LoadingError.unreadableFile(url, reason: String(cString: strerror(errno))) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let error = failure(url, "stat")
            close(descriptor)
            throw error
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            let kind = status.st_mode & S_IFMT == S_IFDIR ? "a folder" : "not a regular file"
            throw LoadingError.unreadableFile(url, reason: "it is \(kind)")
        }
        return (descriptor, Int(status.st_size))
    }

    /// The size of the regular file at `url`, after checking that it is one.
    public static func size(of url: URL) throws -> Int {
        let (descriptor, size) = try openForReading(url)
        close(descriptor)
        return size
    }

    /// The whole file, refused before reading when it is larger than `byteLimit`.
    public static func contents(of url: URL, byteLimit: Int = textByteLimit) throws -> Data {
        let (descriptor, size) = try openForReading(url)
        defer { close(descriptor) }
        guard size <= byteLimit else {
            throw LoadingError.unreadableFile(url, reason:
                "it is \(size) bytes, more than the \(byteLimit) bytes such a file may have")
        }
        var data = Data(count: size)
        var filled = 0
        try data.withUnsafeMutableBytes { (buffer: UnsafeMutableRawBufferPointer) in
            guard let start = buffer.baseAddress else { return }
            while filled < size {
                let count = read(descriptor, start + filled, size - filled)
                if count < 0 && errno == EINTR { continue }
                guard count >= 0 else { throw failure(url, "read") }
                if count == 0 { break }
                filled += count
            }
        }
        return data.prefix(filled)
    }

    private static func failure(_ url: URL, _ action: String) -> LoadingError {
        .unreadableFile(url, reason: "\(action): \(String(cString: strerror(errno)))")
    }
}
