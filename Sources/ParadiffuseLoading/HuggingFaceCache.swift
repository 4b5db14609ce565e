import Foundation
import ParadiffuseTensors

/// The Hugging Face hub's local cache, where diffusers and transformers keep what `from_pretrained` downloaded
/// (huggingface_hub's layout): `<root>/models--<org>--<name>/refs/<revision>` holds a commit hash and
/// `snapshots/<hash>/` the repository's files at that commit. Nothing is downloaded: a model missing from the cache
/// is an error saying how to fetch it.
public struct HuggingFaceCache: Sendable, Equatable {
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    /// The cache huggingface_hub uses: `HF_HUB_CACHE`, else `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`,
    /// else `~/.cache/huggingface/hub`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let home = environment["HOME"].map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        if let cache = environment["HF_HUB_CACHE"], !cache.isEmpty {
            root = URL(fileURLWithPath: cache, isDirectory: true)
        } else if let hfHome = environment["HF_HOME"], !hfHome.isEmpty {
            root = URL(fileURLWithPath: hfHome, isDirectory: true).appendingPathComponent("hub", isDirectory: true)
        } else {
            let cacheHome = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
                .map { URL(fileURLWithPath: $0, isDirectory: true) }
                ?? home.appendingPathComponent(".cache", isDirectory: true)
            root = cacheHome.appendingPathComponent("huggingface/hub", isDirectory: true)
        }
    }

    /// Whether `name` reads as a hub repository id — `name` or `org/name` of letters, digits, `-`, `_` and `.`, at
    /// most 96 characters a part, without `--` or `..` — as huggingface_hub validates it.
    public static func isRepositoryID(_ name: String) -> Bool {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !name.contains("--"), !name.contains("..") else { return false }
        return parts.allSatisfy { part in
            (1...96).contains(part.count) && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
                && part.first != "-" && part.first != "." && part.last != "-" && part.last != "."
        }
    }

    /// The folder of `repository` (e.g. `stabilityai/stable-diffusion-2-1`) at `revision`: a branch or tag the cache
    /// has a ref for, or a commit hash it has a snapshot of.
    public func snapshot(of repository: String, revision: String = "main") throws -> URL {
        guard Self.isRepositoryID(repository) else { throw HuggingFaceCacheError.invalidRepositoryID(repository) }
        let folder = root.appendingPathComponent("models--" + repository.replacingOccurrences(of: "/", with: "--"),
                                                 isDirectory: true)
        guard Self.isDirectory(folder) else {
            throw HuggingFaceCacheError.notCached(repository, cache: root)
        }
        guard Self.isSafeRevision(revision) else { throw HuggingFaceCacheError.invalidRevision(revision) }
        let snapshots = folder.appendingPathComponent("snapshots", isDirectory: true)
        let ref = folder.appendingPathComponent("refs/\(revision)")
        let commit = Self.isFile(ref)
            ? String(decoding: try RegularFile.contents(of: ref, byteLimit: 1024), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            : revision
        let snapshot = snapshots.appendingPathComponent(commit, isDirectory: true)
        guard Self.isSafeRevision(commit), !commit.contains("/"), Self.isDirectory(snapshot) else {
            throw HuggingFaceCacheError.revisionNotCached(repository, revision: revision, folder: folder,
                                                          available: Self.available(in: folder))
        }
        return snapshot
    }

    /// The repository id of a snapshot folder of the cache (`…/models--org--name/snapshots/<hash>` gives
    /// `org/name`), or nil for any other folder.
    public static func repositoryID(ofSnapshot folder: URL) -> String? {
        let snapshots = folder.standardizedFileURL.deletingLastPathComponent()
        let repository = snapshots.deletingLastPathComponent().lastPathComponent
        guard snapshots.lastPathComponent == "snapshots", repository.hasPrefix("models--") else { return nil }
        return repository.dropFirst("models--".count).replacingOccurrences(of: "--", with: "/")
    }

    /// A ref name or commit that stays inside the repository's folder.
    private static func isSafeRevision(_ revision: String) -> Bool {
        !revision.isEmpty && !revision.hasPrefix("/") && !revision.split(separator: "/").contains("..")
            && !revision.contains("\0")
    }

    private static func isDirectory(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    private static func isFile(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    /// The refs and snapshots the cache holds for a repository, for error messages.
    private static func available(in folder: URL) -> [String] {
        let manager = FileManager.default
        let refs = (try? manager.subpathsOfDirectory(atPath: folder.appendingPathComponent("refs").path)) ?? []
        let snapshots = (try? manager.contentsOfDirectory(atPath: folder.appendingPathComponent("snapshots").path)) ?? []
        return refs.filter { isFile(folder.appendingPathComponent("refs/\($0)")) }.sorted()
            + snapshots.sorted()
    }
}

/// A model named by hub id that the local Hugging Face cache cannot give.
public enum HuggingFaceCacheError: Error, Equatable, DescribedError {
    case invalidRepositoryID(String)
    case invalidRevision(String)
    case notCached(String, cache: URL)
    case revisionNotCached(String, revision: String, folder: URL, available: [String])

    public var description: String {
        switch self {
        case .invalidRepositoryID(let id):
            "'\(id)' is neither a model folder nor a Hugging Face repository id (org/name)"
        case .invalidRevision(let revision):
            "--revision '\(revision)' is not a branch, tag or commit name"
        case let .notCached(id, cache):
            "no folder '\(id)', and the Hugging Face cache \(cache.path) has no model '\(id)' (nothing is downloaded: "
                + "fetch it with `huggingface-cli download \(id)` or diffusers' from_pretrained, or set HF_HUB_CACHE)"
        case let .revisionNotCached(id, revision, folder, available):
            "the Hugging Face cache has '\(id)' (\(folder.path)) but not at revision '\(revision)'; it has "
                + (available.isEmpty ? "no complete snapshot" : available.joined(separator: ", "))
        }
    }
}
