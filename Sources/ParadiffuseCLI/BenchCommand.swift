import ArgumentParser
import Foundation
import Paradiffuse

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the UNet forward pass of a model folder, or each component of a Stable Diffusion folder "
            + "(Tools/bench/compare_pytorch.py runs PyTorch beside it).")

    @OptionGroup var model: ModelOption

    @Option(parsing: .unconditional, help: ArgumentHelp("Latents per UNet forward pass, at least 1 (default 1; Stable Diffusion: 2, one "
                               + "image with classifier-free guidance)."))
    var batch: Int?

    @Option(parsing: .unconditional, help: "Timed passes (of each component) after one warm-up pass, at least 1.")
    var iterations = 10

    @Option(help: ArgumentHelp("Also write the timings as JSON (medians as unet_forward_ms, and for Stable "
                               + "Diffusion text_encoder_ms, vae_decode_ms, vae_encode_ms; peak resident memory as "
                               + "peak_rss_bytes).", valueName: "file.json"))
    var json: String?

    @Flag(help: "Replace the --json file if it exists.")
    var overwrite = false

    @OptionGroup(title: "Predicting runs on many ranks (mpirun -np 2 paradiffuse bench --simulate-ranks ...)")
    var rankScaling: RankScalingOptions

    @OptionGroup var arithmetic: PrecisionOption

    @OptionGroup(title: "Stable Diffusion folders") var pipeline: PipelineBenchOptions

    func validate() throws {
        if let batch, !(1...4_096).contains(batch) { throw ValidationError("--batch must be in 1...4096, got \(batch)") }
        if !(1...100_000).contains(iterations) {
            throw ValidationError("--iterations must be in 1...100000, got \(iterations)")
        }
    }

    func run() throws {
        let folder = try model.folderOrDefault()
        if let json { try AtomicFile.checkWritable(URL(fileURLWithPath: json), overwrite: overwrite) }
        print("CPU: \(CPUCapabilities.current); \(arithmetic.summary); \(CPUCapabilities.threads) threads")
        if rankScaling.isRequested { return try rankScaling.predict(modelFolder: folder, iterations: iterations) }
        let isPipeline = try PipelineBenchmark.handles(folder), isDiT = try DiTBenchmark.handles(folder)
        if arithmetic.quantization != .none, isPipeline || isDiT {
            throw ValidationError("--quantize int8 is benchmarked on UNet folders so far (for Stable Diffusion, pass "
                                  + "its unet/ folder)")
        }
        if isPipeline { return try runPipeline(folder) }
        if pipeline.isGiven {
            throw ValidationError("--width, --height and --components apply to Stable Diffusion folders; "
                                  + "\(model.name) is not one")
        }
        let batch = batch ?? 1
        let result = try isDiT
            ? DiTBenchmark(modelFolder: folder, batch: batch, iterations: iterations, precision: arithmetic.precision).run()
            : UNetBenchmark(modelFolder: folder, batch: batch, iterations: iterations,
                            precision: arithmetic.precision, quantization: arithmetic.quantization).run()
        print("\(isDiT ? "DiT" : "UNet") forward (\(result.precision), quantization \(result.quantization)), batch \(batch): "
            + String(format: "median %.2f ms (%.2f ms per image) over %d runs; load %.2f s", result.medianMilliseconds,
                     result.medianMilliseconds / Double(batch), iterations, result.loadSeconds)
            + "; peak resident memory \(PeakResidentMemory.formatted(result.peakResidentBytes))")
        try writeJSON(result)
    }

    private func runPipeline(_ folder: URL) throws {
        let result = try PipelineBenchmark(modelFolder: folder, components: pipeline.parsedComponents(),
                                           width: pipeline.width, height: pipeline.height, unetBatch: batch ?? 2,
                                           iterations: iterations, precision: arithmetic.precision).run()
        PipelineBenchOptions.report(result)
        try writeJSON(result)
    }

    /// Writes `result` with the CPU it ran on under `cpu`.
    private func writeJSON(_ result: some Encodable) throws {
        guard let json else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard var fields = try JSONSerialization.jsonObject(with: encoder.encode(result)) as? [String: Any] else {
            throw ValidationError("benchmark results did not encode as a JSON object")
        }
        fields["cpu"] = try JSONSerialization.jsonObject(with: encoder.encode(CPUCapabilities.current.summary))
        fields["threads"] = CPUCapabilities.threads
        try AtomicFile.write(JSONSerialization.data(withJSONObject: fields, options: [.prettyPrinted, .sortedKeys]),
                             to: URL(fileURLWithPath: json), overwrite: overwrite)
    }
}
