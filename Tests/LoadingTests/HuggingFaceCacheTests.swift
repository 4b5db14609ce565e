import Foundation
import Testing
@testable import ParadiffuseLoading

/// The hub cache as huggingface_hub lays it out: refs name commits, snapshots hold links into blobs.
struct HuggingFaceCacheTests {
    static let commit = "0123456789abcdef0123456789abcdef01234567"

    /// `models--org--tiny` with `refs/main` and `refs/pr/1` → the commit, whose snapshot links `model_index.json`
    /// to a blob.
    static func cache() throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        try folder.write(commit + "\n", to: "models--org--tiny/refs/main")
        try folder.write(commit, to: "models--org--tiny/refs/pr/1")
        let blob = try folder.write("{}", to: "models--org--tiny/blobs/44136fa355b3678a1146ad16f7e8649e94fb4fc2")
        let snapshot = folder.file("models--org--tiny/snapshots/\(commit)")
        try FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: snapshot.appendingPathComponent("model_index.json").path,
                                                   withDestinationPath: "../../blobs/\(blob.lastPathComponent)")
        return folder
    }

    @Test func aBranchATagPathOrACommitNamesTheSnapshot() throws {
        let folder = try Self.cache()
        let cache = HuggingFaceCache(root: folder.url)
        let snapshot = try cache.snapshot(of: "org/tiny")
        #expect(snapshot.lastPathComponent == Self.commit)
        #expect(try String(contentsOf: snapshot.appendingPathComponent("model_index.json"), encoding: .utf8) == "{}")
        #expect(try cache.snapshot(of: "org/tiny", revision: "pr/1") == snapshot)
        #expect(try cache.snapshot(of: "org/tiny", revision: Self.commit) == snapshot)
        #expect(HuggingFaceCache.repositoryID(ofSnapshot: snapshot) == "org/tiny")
        #expect(HuggingFaceCache.repositoryID(ofSnapshot: folder.url) == nil)
    }

    @Test func aMissingModelOrRevisionSaysWhatTheCacheHas() throws {
        let folder = try Self.cache()
        let cache = HuggingFaceCache(root: folder.url)
        #expect {
            _ = try cache.snapshot(of: "org/other")
        } throws: { error in
            "\(error)".contains("the Hugging Face cache \(folder.url.path) has no model 'org/other'")
                && "\(error)".contains("huggingface-cli download org/other")
        }
        #expect {
            _ = try cache.snapshot(of: "org/tiny", revision: "v2")
        } throws: { error in
            "\(error)".contains("not at revision 'v2'; it has main, pr/1, \(Self.commit)")
        }
        for revision in ["../../elsewhere", "/etc", ""] {
            #expect(throws: HuggingFaceCacheError.invalidRevision(revision)) {
                _ = try cache.snapshot(of: "org/tiny", revision: revision)
            }
        }
    }

    @Test func aRefThatIsNotAFileIsAnErrorNamingIt() throws {
        let folder = try Self.cache()
        let ref = folder.file("models--org--tiny/refs/fifo")
        #expect(mkfifo(ref.path, 0o600) == 0)
        #expect {
            _ = try HuggingFaceCache(root: folder.url).snapshot(of: "org/tiny", revision: "fifo")
        } throws: { error in
            "\(error)".contains(ref.path)
        }
    }

    @Test(arguments: [("org/name", true), ("name", true), ("runwayml/stable-diffusion-v1-5", true),
                      ("a/b/c", false), ("../x", false), ("org--x/y", false), ("./models/sd", false),
                      ("/abs/path", false), ("", false), ("-x", false), ("org/na me", false)])
    func repositoryIDsAreTheHubsShapes(name: String, isID: Bool) {
        #expect(HuggingFaceCache.isRepositoryID(name) == isID)
    }

    @Test func theCacheFolderFollowsHuggingFaceHubsVariables() {
        #expect(HuggingFaceCache(environment: ["HF_HUB_CACHE": "/c", "HF_HOME": "/h"]).root.path == "/c")
        #expect(HuggingFaceCache(environment: ["HF_HOME": "/h", "XDG_CACHE_HOME": "/x"]).root.path == "/h/hub")
        #expect(HuggingFaceCache(environment: ["XDG_CACHE_HOME": "/x", "HOME": "/u"]).root.path == "/x/huggingface/hub")
        #expect(HuggingFaceCache(environment: ["HOME": "/u"]).root.path == "/u/.cache/huggingface/hub")
    }
}
