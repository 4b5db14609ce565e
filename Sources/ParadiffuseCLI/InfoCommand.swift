import ArgumentParser
import Foundation
import Paradiffuse

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a model folder: components, parameters, dtypes, size and memory estimate.")

    @OptionGroup var model: ModelOption

    @Option(help: ArgumentHelp("Weights variant to describe, e.g. fp16 for diffusion_pytorch_model.fp16.safetensors.",
                               valueName: "name"))
    var variant: String?

    @Flag(help: "Also load the models as generate does (in --precision) and report the time and peak resident memory.")
    var load = false

    @OptionGroup var arithmetic: PrecisionOption

    func run() throws {
        let folder = try model.folderOrDefault()
        print(try ModelInfo(folder: folder, variant: variant))
        print("Paradiffuse \(ParadiffuseVersion.current)")
        print("CPU: \(CPUCapabilities.current)")
        print("precisions computed natively here: "
            + CPUCapabilities.current.nativePrecisions.map(\.rawValue).joined(separator: ", ")
            + "; the default (--precision auto) is \(Precision.automatic().rawValue)")
        if load {
            print(arithmetic.summary)
            let report = try ModelLoading.load(folder: folder, variant: variant, precision: arithmetic.precision,
                                               quantization: arithmetic.quantization)
            print(String(format: "loaded in %.2f s", report.seconds)
                + " (\(arithmetic.precision.rawValue), quantization \(arithmetic.quantization.rawValue)); peak resident "
                + "memory \(PeakResidentMemory.formatted(report.peakResidentBytes)) (weights are packed at the first "
                + "forward pass: `paradiffuse bench` reports the peak with it)")
        }
    }
}
