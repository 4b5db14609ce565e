import Foundation
import ParadiffuseLoading

/// A hash of what makes a model folder the model it is, cheap enough to take at start-up: every JSON file
/// (configurations) and every safetensors header (tensor names, dtypes, shapes, offsets) with its file's size, by
/// relative path. Ranks compare fingerprints to catch differing model folders before sampling.
public struct ModelFingerprint: Equatable, Sendable {
    public let value: UInt64

    public init(folder: URL) throws {
        var hash = FNV1a()
        let root = folder.resolvingSymlinksInPath()
        let files = (FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?.allObjects as? [URL]) ?? []
        let relevant = files.map { $0.resolvingSymlinksInPath() }
            .filter { ["json", "safetensors"].contains($0.pathExtension) }
            .map { (path: String($0.path.dropFirst(root.path.count)), url: $0) }
            .sorted { $0.path < $1.path }
        for file in relevant {
            hash.add(Array(file.path.utf8))
            if file.url.pathExtension == "json" {
                hash.add(Array(try RegularFile.contents(of: file.url)))
            } else {
                let size = UInt64(try RegularFile.size(of: file.url))
                let handle = try FileHandle(forReadingFrom: file.url)
                defer { try? handle.close() }
                let lengthBytes = try handle.read(upToCount: 8) ?? Data()
                let headerLength = lengthBytes.count == 8
                    ? lengthBytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) } : 0
                hash.add(Array(lengthBytes))
                hash.add(Array(try handle.read(upToCount: Int(min(headerLength, size))) ?? Data()))
                withUnsafeBytes(of: size.littleEndian) { hash.add(Array($0)) }
            }
        }
        value = hash.value
    }

    /// Throws `DistributedError.modelMismatch` naming the ranks whose folder differs from rank 0's (on every rank).
    public static func verifySameModel(folder: URL, group: ProcessGroup) throws {
        let local = try ModelFingerprint(folder: folder)
        let all = try group.allGather(bytes: withUnsafeBytes(of: local.value.littleEndian) { Array($0) },
                                      operation: "the model check")
        let differing = all.indices.filter { all[$0] != all[0] }
        if !differing.isEmpty { throw DistributedError.modelMismatch(folder: folder.path, ranks: differing) }
    }
}

/// 64-bit FNV-1a.
private struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ bytes: [UInt8]) {
        for byte in bytes {
            value ^= UInt64(byte)
            value &*= 0x100_0000_01b3
        }
        // A separator, so that moving bytes between consecutive fields changes the hash.
        value ^= UInt64(bytes.count)
        value &*= 0x100_0000_01b3
    }
}
