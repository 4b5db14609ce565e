import ArgumentParser
import Foundation
import Pipelines

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the UNet forward pass of a model folder (Tools/bench/compare_unet.py runs PyTorch beside it).")

    @Option(help: ArgumentHelp("A diffusers model folder or UNet folder (default: the model that ships with Paradiffuse).",
                               valueName: "path"))
    var model: String?

    @Option(help: "Images per forward pass, at least 1.")
    var batch = 1

    @Option(help: "Timed forward passes after one warm-up pass, at least 1.")
    var iterations = 10

    @Option(help: ArgumentHelp("Also write the timings as JSON (median as unet_forward_ms).", valueName: "file.json"))
    var json: String?

    func validate() throws {
        if batch < 1 { throw ValidationError("--batch must be at least 1, got \(batch)") }
        if iterations < 1 { throw ValidationError("--iterations must be at least 1, got \(iterations)") }
    }

    func run() throws {
        let folder = model.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? DefaultModel.url
        let result = try UNetBenchmark(modelFolder: folder, batch: batch, iterations: iterations).run()
        print(String(format: "UNet forward, batch %d: median %.2f ms (%.2f ms per image) over %d runs; load %.2f s",
                     batch, result.medianMilliseconds, result.medianMilliseconds / Double(batch), iterations,
                     result.loadSeconds))
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(result).write(to: URL(fileURLWithPath: json), options: .atomic)
        }
    }
}
