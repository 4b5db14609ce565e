import Foundation
import ParadiffuseTensors

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that it appears complete under its name or not at all, and never replaces an existing file
/// unless asked to: the bytes go to a temporary file in the same folder, which is then renamed (with `overwrite`)
/// or hard-linked to the final name (which fails if a file of that name exists). Every file the program writes goes
/// through here.
public enum AtomicFile {
    /// Writes `data` to `url`.
    public static func write(_ data: Data, to url: URL, overwrite: Bool) throws {
        try write(to: url, overwrite: overwrite) { try $0.write(contentsOf: data) }
    }

    /// Writes what `body` writes to the handle, to `url`.
    public static func write(to url: URL, overwrite: Bool, _ body: (FileHandle) throws -> Void) throws {
        try checkWritable(url, overwrite: overwrite)
        let folder = url.deletingLastPathComponent()
        // Named apart from the final name, so that a long final name cannot make it too long.
        let temporary = folder.appendingPathComponent(".paradiffuse-\(UUID().uuidString).partial")
        try PartialFiles.whileWriting(temporary.path) {
            let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw FileWriteError.writeFailed(url, reason: "cannot create a temporary file in "
                                                 + "\(folder.path): \(String(cString: strerror(errno)))")
            }
            defer { unlink(temporary.path) }
            do {
                let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
                defer { try? handle.close() }
                try body(handle)
                try handle.synchronize()
            } catch let error as FileWriteError {
                throw error
            } catch {
                throw FileWriteError.writeFailed(url, reason: Self.reason(error))
            }
            try overwrite ? replace(url, with: temporary) : publish(temporary, as: url)
        }
    }

    /// Checks, before any work, that `url` can be written: its name is not too long, its folder exists and may
    /// be written to, and unless `overwrite`, no file or folder of that name exists.
    public static func checkWritable(_ url: URL, overwrite: Bool) throws {
        let folder = url.deletingLastPathComponent()
        let nameBytes = url.lastPathComponent.utf8.count
        guard nameBytes <= Int(NAME_MAX) else {
            throw FileWriteError.writeFailed(url, reason: "the file name is \(nameBytes) bytes long; file systems "
                                             + "allow at most \(NAME_MAX)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FileWriteError.missingFolder(url)
        }
        // Creating a file tells what permissions alone do not (a read-only file system, root on sysfs).
        let probe = folder.appendingPathComponent(".paradiffuse-\(UUID().uuidString).probe")
        let descriptor = open(probe.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw FileWriteError.writeFailed(url, reason: "folder \(folder.path) cannot be written to: "
                                             + String(cString: strerror(errno)))
        }
        close(descriptor)
        unlink(probe.path)
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw FileWriteError.isFolder(url) }
            if !overwrite { throw FileWriteError.exists(url) }
        }
    }

    /// Checks every file of one run (`checkWritable`), and that no two of them are the same file.
    public static func checkWritable(_ urls: [URL], overwrite: Bool) throws {
        var seen: [String: URL] = [:]
        for url in urls {
            let path = url.standardizedFileURL.resolvingSymlinksInPath().path
            if let earlier = seen[path] { throw FileWriteError.sameFile(earlier, url) }
            seen[path] = url
            try checkWritable(url, overwrite: overwrite)
        }
    }

    private static func replace(_ url: URL, with temporary: URL) throws {
        guard rename(temporary.path, url.path) == 0 else {
            throw FileWriteError.writeFailed(url, reason: String(cString: strerror(errno)))
        }
    }

    /// Links the temporary file under the final name, which fails if a file of that name appeared meanwhile.
    /// On file systems without hard links it falls back to a rename after a last check.
    private static func publish(_ temporary: URL, as url: URL) throws {
        guard link(temporary.path, url.path) != 0 else { return }
        let failure = errno
        if failure == EEXIST { throw FileWriteError.exists(url) }
        guard [EPERM, EOPNOTSUPP, EMLINK].contains(failure) else {
            throw FileWriteError.writeFailed(url, reason: String(cString: strerror(failure)))
        }
        if FileManager.default.fileExists(atPath: url.path) { throw FileWriteError.exists(url) }
        try replace(url, with: temporary)
    }

    /// The operating system's reason behind a Foundation write error (e.g. "No space left on device").
    private static func reason(_ error: Error) -> String {
        let error = error as NSError
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if error.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(error.code))) }
        return error.localizedDescription
    }
}

/// Why an output file was not written. Messages name the file.
public enum FileWriteError: Error, Equatable, DescribedError {
    case exists(URL)
    case isFolder(URL)
    /// The file whose folder is missing.
    case missingFolder(URL)
    case sameFile(URL, URL)
    case writeFailed(URL, reason: String)

    public var description: String {
        switch self {
        case let .exists(url):
            "\(url.path) already exists (pass --overwrite to replace it)"
        case let .isFolder(url):
            "cannot write \(url.path): it is a folder"
        case let .missingFolder(file):
            "cannot write \(file.path): folder \(file.deletingLastPathComponent().path) does not exist"
        case let .sameFile(first, second):
            first.path == second.path ? "two outputs are the same file, \(first.path): give each its own name"
                : "two outputs are the same file: \(first.path) and \(second.path)"
        case let .writeFailed(url, reason):
            "cannot write \(url.path): \(reason)"
        }
    }
}
