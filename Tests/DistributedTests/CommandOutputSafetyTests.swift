import Foundation
import Testing

/// The command line never replaces a file without `--overwrite`, whichever option names it, and refuses before any
/// work: the file keeps its bytes and the run ends with an error naming it.
struct CommandOutputSafetyTests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("paradiffuse-outputs-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func existing(_ name: String) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try Data("keep me".utf8).write(to: url)
        return url
    }

    func refuses(_ arguments: [String], keeping url: URL, saying text: String) throws {
        let run = try CommandRun(Programs.paradiffuse, arguments, limit: 60)
        #expect(run.status == 1, "\(arguments): \(run.standardError)")
        #expect(run.standardError.contains(text), "\(run.standardError)")
        #expect(try Data(contentsOf: url) == Data("keep me".utf8))
    }

    func generate(_ extra: [String]) -> [String] {
        ["generate", "--steps", "2", "--quiet", "--output", folder.appendingPathComponent("out.png").path] + extra
    }

    @Test func statisticsAndTrajectoryFilesAreNotReplaced() throws {
        let stats = try existing("stats.json"), trajectory = try existing("run.safetensors")
        try refuses(generate(["--stats", stats.path]), keeping: stats, saying: "\(stats.path) already exists")
        try refuses(generate(["--scheduler", "ddim", "--save-trajectory", trajectory.path]), keeping: trajectory,
                    saying: "\(trajectory.path) already exists")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out.png").path))
    }

    @Test func benchJSONIsNotReplaced() throws {
        let json = try existing("timings.json")
        try refuses(["bench", "--iterations", "1", "--json", json.path], keeping: json, saying: "already exists")
    }

    @Test func twoOutputsNamingOneFileAreRefused() throws {
        let same = folder.appendingPathComponent("x.safetensors").path
        let run = try CommandRun(Programs.paradiffuse, generate(["--scheduler", "ddim", "--save-latents", same,
                                                                 "--save-trajectory", same]), limit: 60)
        #expect(run.status == 1 && run.standardError.contains("same file"), "\(run.standardError)")
        #expect(!FileManager.default.fileExists(atPath: same))
    }
}
