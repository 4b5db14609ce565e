import Foundation
import Testing

/// `mpirun -np K paradiffuse generate` with the digits model: the same bits for every K and split, and errors
/// instead of hangs when a rank dies, hangs or reads another model. Each run is a few seconds (DDIM, 8 steps).
@Suite(.serialized, .enabled(if: Programs.mpirun != nil, "mpirun is not installed (Tools/setup/install-dependencies.sh installs Open MPI)"))
struct MPIRunTests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("paradiffuse-mpi-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        #expect(FileManager.default.isExecutableFile(atPath: Programs.paradiffuse.path),
                "\(Programs.paradiffuse.path) is missing: build the paradiffuse product before the tests")
    }

    func generateArguments(_ name: String, _ extra: [String]) -> [String] {
        [Programs.paradiffuse.path, "generate", "--scheduler", "ddim", "--steps", "8", "--seed", "11", "--count", "2",
         "--output", folder.appendingPathComponent("\(name).png").path,
         "--save-latents", folder.appendingPathComponent("\(name).safetensors").path, "--quiet"] + extra
    }

    /// Runs one generation (under mpirun with `ranks`, or alone with `--deterministic` when nil) and returns the saved
    /// latents' file bytes.
    func latents(_ name: String, ranks: Int?, _ extra: [String]) throws -> Data {
        let arguments = generateArguments(name, extra)
        let run = try ranks.map { try CommandRun(Programs.mpirun!, Programs.mpirunArguments(ranks: $0) + arguments, limit: 120) }
            ?? CommandRun(Programs.paradiffuse, Array(arguments.dropFirst()) + ["--deterministic"], limit: 120)
        try #require(run.status == 0 && !run.timedOut, "\(name) failed: \(run.standardError)")
        return try Data(contentsOf: folder.appendingPathComponent("\(name).safetensors"))
    }

    @Test func everyRankCountGivesTheSameLatentsBitForBit() throws {
        let paradigms = ["--sampler", "paradigms", "--parallel", "4"]
        let alone = try latents("alone", ranks: nil, paradigms)
        #expect(try latents("ranks2", ranks: 2, paradigms) == alone)
        #expect(try latents("ranks3", ranks: 3, paradigms + ["--split", "window"]) == alone)
        #expect(try latents("ranks3cfg", ranks: 3, paradigms + ["--split", "cfg"]) == alone)

        let parataa = ["--sampler", "parataa", "--order", "2", "--window", "5"]
        #expect(try latents("parataa2", ranks: 2, parataa) == latents("parataa1", ranks: nil, parataa))
    }

    @Test func ranksBeyondTheBatchWaitIdle() throws {
        // The sequential sampler's batch is the 2 images: with 3 ranks splitting latents, rank 2 has nothing to do.
        #expect(try latents("sequential3", ranks: 3, ["--split", "window"]) == latents("sequential1", ranks: nil, []))
    }

    @Test func aKilledRankEndsEveryRankWithAnError() throws {
        let run = try CommandRun(Programs.mpirun!, Programs.mpirunArguments(ranks: 2)
                                 + generateArguments("killed", ["--sampler", "paradigms", "--parallel", "4"]),
                                 environment: ["PARADIFFUSE_FAULT": "kill:1:4"], limit: 60)
        #expect(!run.timedOut && run.status != 0)
        #expect(run.standardError.contains("rank 0 of 2: ended by mpirun because another rank of this run stopped"),
                "\(run.standardError)")
    }

    @Test func aHangingRankEndsTheRunAfterTheTimeout() throws {
        let run = try CommandRun(Programs.mpirun!, Programs.mpirunArguments(ranks: 2)
                                 + generateArguments("stalled", ["--mpi-timeout", "3"]),
                                 environment: ["PARADIFFUSE_FAULT": "stall:1:4"], limit: 60)
        #expect(!run.timedOut && run.status != 0)
        #expect(run.standardError.contains("waited 3 s (rank 0) for the other ranks"), "\(run.standardError)")
    }

    @Test func ranksWithDifferentModelFilesAreStoppedAtStart() throws {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let original = packageRoot.appendingPathComponent("Sources/ParadiffusePipelines/DefaultModel")
        let changed = folder.appendingPathComponent("changed-model")
        try FileManager.default.copyItem(at: original, to: changed)
        let config = changed.appendingPathComponent("scheduler/scheduler_config.json")
        try (String(contentsOf: config, encoding: .utf8) + " ").write(to: config, atomically: true, encoding: .utf8)
        let common = Programs.mpirunArguments(ranks: 1).dropLast(2)
        let run = try CommandRun(Programs.mpirun!, Array(common) + ["-np", "1"]
                                 + generateArguments("original", ["--model", original.path]) + [":", "-np", "1"]
                                 + generateArguments("changed", ["--model", changed.path]), limit: 60)
        #expect(run.status != 0)
        #expect(run.standardError.contains("the model files differ between ranks: ranks 1"), "\(run.standardError)")
    }

    @Test func splittingGuidanceWithoutGuidanceIsRejected() throws {
        let run = try CommandRun(Programs.paradiffuse, Array(generateArguments("rejected", ["--split", "cfg", "--guidance", "1"])
                                 .dropFirst()), limit: 30)
        #expect(run.status != 0)
        #expect(run.standardError.contains("--split cfg divides classifier-free guidance's halves"), "\(run.standardError)")
    }
}
