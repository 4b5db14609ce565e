import Foundation
import ParadiffusePipelines
import Testing

/// `--model org/name` finds a model in the local Hugging Face cache (`HF_HUB_CACHE`), as `from_pretrained` does,
/// and the PNG names it by its id; a model the cache lacks is an error saying so.
struct HuggingFaceIDCommandTests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("paradiffuse-hub-\(UUID())")
        let repository = folder.appendingPathComponent("hub/models--paradiffuse--digits")
        let snapshot = repository.appendingPathComponent("snapshots/abc123")
        try FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: repository.appendingPathComponent("refs"), withIntermediateDirectories: true)
        try Data("abc123".utf8).write(to: repository.appendingPathComponent("refs/main"))
        for item in try FileManager.default.contentsOfDirectory(atPath: DefaultModel.url.path) {
            try FileManager.default.createSymbolicLink(at: snapshot.appendingPathComponent(item),
                                                       withDestinationURL: DefaultModel.url.appendingPathComponent(item))
        }
    }

    func generate(_ model: String) throws -> CommandRun {
        try CommandRun(Programs.paradiffuse, ["generate", "--model", model, "--steps", "2", "--quiet", "--precision", "f32",
                                              "-o", folder.appendingPathComponent("digit.png").path],
                       environment: ["HF_HUB_CACHE": folder.appendingPathComponent("hub").path], limit: 60)
    }

    @Test func anIDInTheCacheIsGeneratedFromAndNamed() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try generate("paradiffuse/digits")
        #expect(run.status == 0, "\(run.standardError)")
        let png = try PNGContents(url: folder.appendingPathComponent("digit.png"))
        #expect(png.textChunks.contains { $0.keyword == "parameters" && $0.text.contains("Model: paradiffuse/digits") })
    }

    @Test func anIDTheCacheLacksIsAnErrorSayingSo() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try generate("paradiffuse/other")
        #expect(run.status == 1)
        #expect(run.standardError.contains("has no model 'paradiffuse/other'"), "\(run.standardError)")
    }
}
