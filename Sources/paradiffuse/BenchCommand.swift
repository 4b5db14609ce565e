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

    @Option(help: ArgumentHelp("Also write the timings as JSON (median as unet_forward_ms, peak resident memory as "
                               + "peak_rss_bytes).", valueName: "file.json"))
    var json: String?

    @OptionGroup(title: "Predicting runs on many ranks (mpirun -np 2 paradiffuse bench --simulate-ranks ...)")
    var rankScaling: RankScalingOptions

    @OptionGroup var arithmetic: PrecisionOption

    func validate() throws {
        if batch < 1 { throw ValidationError("--batch must be at least 1, got \(batch)") }
        if iterations < 1 { throw ValidationError("--iterations must be at least 1, got \(iterations)") }
    }

    func run() throws {
        let folder = model.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? DefaultModel.url
        if rankScaling.isRequested { return try rankScaling.predict(modelFolder: folder, iterations: iterations) }
        let isDiT = try DiTBenchmark.handles(folder)
        if isDiT, arithmetic.precision != .float32 { throw ValidationError("DiT models run in f32 only so far") }
        let result = try isDiT
            ? DiTBenchmark(modelFolder: folder, batch: batch, iterations: iterations).run()
            : UNetBenchmark(modelFolder: folder, batch: batch, iterations: iterations,
                            precision: arithmetic.precision).run()
        print("\(isDiT ? "DiT" : "UNet") forward (\(result.precision)), batch \(batch): "
            + String(format: "median %.2f ms (%.2f ms per image) over %d runs; load %.2f s", result.medianMilliseconds,
                     result.medianMilliseconds / Double(batch), iterations, result.loadSeconds)
            + "; peak resident memory \(PeakResidentMemory.formatted(result.peakResidentBytes))")
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(result).write(to: URL(fileURLWithPath: json), options: .atomic)
        }
    }
}
