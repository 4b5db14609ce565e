import ArgumentParser
import ParadiffuseDistributed
import Foundation
import Paradiffuse

/// `bench --simulate-ranks K ...`: predicts the latency of one parallel-sampling iteration on K ranks, and the
/// end-to-end speedup over the sequential sampler, from the model's measured time on each rank's slice and the
/// all-gather measured between two ranks (`RankScalingPrediction`, `AllGatherCost`). Run it as
/// `mpirun -np 2 paradiffuse bench --simulate-ranks 8 16 64 ...`; each rank computes with its own threads.
struct RankScalingOptions: ParsableArguments {
    @Option(name: .customLong("simulate-ranks"), parsing: .upToNextOption,
            help: "Predict parallel sampling on these numbers of ranks (under mpirun -np 2).")
    var ranks: [Int] = []

    @Option(parsing: .unconditional, help: "With --simulate-ranks: timesteps per window (ParaDiGMS --parallel).")
    var parallel = 16

    @Option(parsing: .unconditional, help: "With --simulate-ranks: images generated together.")
    var images = 1

    @Option(parsing: .unconditional, help: "With --simulate-ranks: network evaluations per latent (2 with classifier-free guidance).")
    var branches = 2

    @Option(name: .customLong("sampling-run"), help: ArgumentHelp(
        "With --simulate-ranks: a run to predict end to end, name:steps:iterations (sequential steps, parallel "
            + "iterations as measured with generate --stats); repeatable.", valueName: "name:steps:iterations"))
    var samplingRuns: [String] = []

    var isRequested: Bool { !ranks.isEmpty }

    func validate() throws {
        if let wrong = ranks.first(where: { $0 < 1 }) { throw ValidationError("--simulate-ranks must be at least 1, got \(wrong)") }
        for (name, value) in [("parallel", parallel), ("images", images), ("branches", branches)] where value < 1 {
            throw ValidationError("--\(name) must be at least 1, got \(value)")
        }
        for run in samplingRuns where parsedRun(run) == nil {
            throw ValidationError("--sampling-run must be name:steps:iterations with positive numbers, got '\(run)'")
        }
    }

    private func parsedRun(_ text: String) -> (name: String, steps: Int, iterations: Int)? {
        let parts = text.split(separator: ":")
        guard parts.count == 3, let steps = Int(parts[1]), let iterations = Int(parts[2]), steps > 0, iterations > 0
        else { return nil }
        return (String(parts[0]), steps, iterations)
    }

    func predict(modelFolder: URL, iterations: Int) throws {
        guard MPIProcessGroup.isLaunchedByMPIRun else {
            throw ValidationError("--simulate-ranks measures the all-gather between two ranks: run it as "
                                  + "mpirun -np 2 paradiffuse bench --simulate-ranks ...")
        }
        let group = try MPIProcessGroup(timeout: 3600)
        defer { group.finalize() }
        guard group.size == 2 else {
            throw ValidationError("--simulate-ranks needs exactly 2 ranks (mpirun -np 2), got \(group.size)")
        }
        ComputeThreads.set(ComputeThreads.perProcessDefault())
        let outputBytes = try Self.outputBytesPerLatent(modelFolder)
        let latents = parallel * images
        let cost = try AllGatherCost.measure(group: group, bytes: latents * outputBytes)
        if group.rank == 0 {
            try report(modelFolder: modelFolder, iterations: iterations, latents: latents, outputBytes: outputBytes,
                       cost: cost)
        }
        _ = try group.allGather(bytes: [0], operation: "waiting for rank 0's measurements")
    }

    private func report(modelFolder: URL, iterations: Int, latents: Int, outputBytes: Int, cost: AllGatherCost) throws {
        var measured: [Int: Double] = [:]
        func sliceSeconds(_ items: Int) throws -> Double {
            if let known = measured[items] { return known }
            let seconds = try UNetBenchmark(modelFolder: modelFolder, batch: items, iterations: iterations).run()
                .medianMilliseconds / 1000
            measured[items] = seconds
            return seconds
        }
        let perRank = ComputeThreads.perProcessDefault()
        print(String(format: "all-gather between 2 ranks: %.1f µs per round, %.3f GB/s; model on %d thread(s) per rank",
                     cost.secondsPerRound * 1e6, 1e-9 / max(cost.secondsPerByte, 1e-18), perRank))
        print("window \(parallel) × \(images) image(s) = \(latents) latents, \(branches) branch(es), "
              + "\(outputBytes) output bytes per latent\n")
        let sequentialStep = try sliceSeconds(images * branches)
        let predictions = try ([1] + ranks).map {
            try RankScalingPrediction(ranks: $0, latents: latents, branches: branches, outputBytes: outputBytes,
                                      allGather: cost, sliceSeconds: sliceSeconds)
        }
        let runs = samplingRuns.compactMap(parsedRun)
        print("| ranks | slice (items) | model ms | all-gather ms | iteration ms |"
              + runs.map { " \($0.name) speedup |" }.joined())
        print("|---|---|---|---|---|" + String(repeating: "---|", count: runs.count))
        for prediction in predictions {
            let speedups = runs.map { run in
                String(format: " %.2fx |", Double(run.steps) * sequentialStep
                       / (Double(run.iterations) * prediction.iterationSeconds))
            }
            print(String(format: "| %d | %d | %.2f | %.3f | %.2f |", prediction.ranks, prediction.sliceItems,
                         prediction.modelSeconds * 1e3, prediction.allGatherSeconds * 1e3,
                         prediction.iterationSeconds * 1e3) + speedups.joined())
        }
        print(String(format: "\nsequential step (batch %d): %.2f ms; speedup = steps × step / (iterations × iteration)",
                     images * branches, sequentialStep * 1e3))
    }

    /// `out_channels × height × width × 4` from the UNet's config.json.
    private static func outputBytesPerLatent(_ folder: URL) throws -> Int {
        let candidates = [folder.appendingPathComponent("unet/config.json"), folder.appendingPathComponent("config.json")]
        guard let url = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
            throw ValidationError("--simulate-ranks: no UNet config.json in \(folder.path)")
        }
        guard case let .object(config) = try JSONValue.read(url), let channels = config["out_channels"]?.integer,
              (1...4096).contains(channels) else {
            throw ValidationError("--simulate-ranks: \(url.path) has no out_channels from 1 to 4096")
        }
        let size: [Int?] = switch config["sample_size"] {
        case let .array(sides)?: sides.map(\.integer)
        case let side?: [side.integer, side.integer]
        case nil: [32, 32]
        }
        guard size.count == 2, let height = size[0], let width = size[1], (1...4096).contains(height),
              (1...4096).contains(width) else {
            throw ValidationError("--simulate-ranks: \(url.path) has no sample_size of 1 to 4096, or two of them")
        }
        return channels * height * width * 4
    }
}
