import Foundation

/// Inputs kept in the repository: `Fuzz/corpus/<target>/` (seeds, and what fuzzing found worth keeping) and
/// `Fuzz/regressions/<target>/` (inputs that once crashed).
public enum FuzzCorpus {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    /// The kept inputs of `target`, seeds and regressions.
    public static func inputs(of target: FuzzTarget) -> [(name: String, data: Data)] {
        ["corpus", "regressions"].flatMap { kind in
            inputs(at: root.appendingPathComponent("\(kind)/\(target.rawValue)", isDirectory: true))
        }
    }

    /// The file at `url`, or every file in the folder at `url`, by name.
    public static func inputs(at url: URL) -> [(name: String, data: Data)] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else { return [] }
        let files = isFolder.boolValue
            ? ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted()
                .map { url.appendingPathComponent($0) }
            : [url]
        return files.compactMap { file in (try? Data(contentsOf: file)).map { (file.lastPathComponent, $0) } }
    }
}
