import Foundation
import Testing

/// What users of stable-diffusion.cpp and the A1111 web UI type works: short flags, their scheduler names, grid
/// rows and columns.
struct CommandLineHabitsTests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("paradiffuse-habits-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// Runs `generate` with short flags for seed and output, writing `<name>.png` (`<name>-<i>.png` for several).
    func run(_ name: String, _ extra: [String]) throws {
        let output = folder.appendingPathComponent("\(name).png")
        let run = try CommandRun(Programs.paradiffuse, ["generate", "--steps", "3", "--quiet", "-s", "5", "-o", output.path,
                                                        "--precision", "f32"] + extra, limit: 60)
        #expect(run.status == 0, "\(extra): \(run.standardError)")
    }

    func generate(_ name: String, _ extra: [String]) throws -> Data {
        try run(name, extra)
        return try Data(contentsOf: folder.appendingPathComponent("\(name).png"))
    }

    /// `DPM++ 2M Karras` (A1111), `dpmpp_2m_karras` (ComfyUI) and `dpm-solver --karras` are one scheduler;
    /// `dpm++2m` (stable-diffusion.cpp) is it without Karras sigmas.
    @Test func otherToolsSchedulerNamesChooseTheSameScheduler() throws {
        let ours = try generate("ours", ["--scheduler", "dpm-solver", "--karras"])
        #expect(try generate("a1111", ["--scheduler", "DPM++ 2M Karras"]) == ours)
        #expect(try generate("comfy", ["--scheduler", "dpmpp_2m_karras"]) == ours)
        let plain = try generate("sdcpp", ["--scheduler", "dpm++2m"])
        #expect(plain != ours)
        #expect(try generate("plain", ["--scheduler", "dpm-solver"]) == plain)
        #expect(try generate("euler-a", ["--scheduler", "Euler a"]) == generate("euler_a", ["--scheduler", "euler_a"]))
    }

    @Test func unknownSchedulerIsAUsageError() throws {
        let run = try CommandRun(Programs.paradiffuse, ["generate", "--scheduler", "dpm++2s_a"], limit: 30)
        #expect(run.status == 64, "\(run.standardError)")
        #expect(run.standardError.contains("'dpm++2s_a' is invalid for '--scheduler"), "\(run.standardError)")
        #expect(run.standardError.contains("See 'paradiffuse generate --help'"), "\(run.standardError)")
    }

    @Test func gridTakesRowsOrColumns() throws {
        func gridSize(_ extra: [String]) throws -> (width: UInt32, height: UInt32) {
            try run("grid", ["--count", "4", "--overwrite"] + extra)
            let png = try Data(contentsOf: folder.appendingPathComponent("grid-grid.png"))
            func side(at offset: Int) -> UInt32 { png[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) } }
            return (side(at: 16), side(at: 20))
        }
        #expect(try gridSize(["--grid"]) == (64, 64))
        #expect(try gridSize(["--columns", "4"]) == (128, 32))
        #expect(try gridSize(["--rows", "4"]) == (32, 128))
        #expect(try gridSize(["--rows", "3"]) == (64, 96))
    }

    /// `--vae` swaps the VAE (a folder here), `--vae-tiling` and `--vae-slicing` bound its memory; a model without
    /// a VAE refuses them as a usage error.
    @Test func vaeOptionsSwapTileAndSlice() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures")
        let image = try generate("swapped", ["-m", fixtures.appendingPathComponent("stable-diffusion/tiny-sd").path,
                                             "-p", "a cat", "-W", "32", "-H", "32",
                                             "--vae", fixtures.appendingPathComponent("vae/three-level").path,
                                             "--vae-tiling", "--vae-slicing"])
        #expect(image.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let refused = try CommandRun(Programs.paradiffuse, ["generate", "--steps", "2", "--vae-tiling", "--quiet",
                                                            "-o", folder.appendingPathComponent("x.png").path], limit: 60)
        #expect(refused.status == 64, "\(refused.standardError)")
        #expect(refused.standardError.contains("--vae-tiling and --vae-slicing apply to models with a VAE"))
    }

    /// `--embedding` loads textual inversions (their tokens then work in prompts); `--token` renames one only.
    @Test func embeddingsAreLoadedAndTokenNamesOne() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/stable-diffusion")
        let embedding = fixtures.appendingPathComponent("embeddings/my-style.safetensors").path
        let image = try generate("embedded", ["-m", fixtures.appendingPathComponent("tiny-sd").path,
                                              "-p", "a cat in <style>", "-W", "32", "-H", "32",
                                              "--embedding", embedding, "--token", "<style>"])
        #expect(image.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let refused = try CommandRun(Programs.paradiffuse, ["generate", "--embedding", embedding, "--embedding", embedding,
                                                            "--token", "x", "--quiet"], limit: 60)
        #expect(refused.status == 64, "\(refused.standardError)")
        #expect(refused.standardError.contains("--token names the token of exactly one --embedding"))
    }
}
