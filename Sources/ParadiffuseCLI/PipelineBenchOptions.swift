import ArgumentParser
import Foundation
import Paradiffuse

/// `bench`'s options for Stable Diffusion folders, whose components are timed one by one.
struct PipelineBenchOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Stable Diffusion: image width in pixels, a multiple of 8 (default: the model's, 512 for SD 1.5).")
    var width: Int?

    @Option(parsing: .unconditional, help: "Stable Diffusion: image height in pixels, a multiple of 8 (default: the model's).")
    var height: Int?

    @Option(help: ArgumentHelp(
        "Stable Diffusion: the components to time, comma-separated, from "
            + PipelineBenchmark.Component.allCases.map(\.rawValue).joined(separator: ", ")
            + " (default: text-encoder,unet,vae-decode, those the folder has).",
        valueName: "list"))
    var components: String?

    var isGiven: Bool { width != nil || height != nil || components != nil }

    func validate() throws {
        for (name, value) in [("width", width), ("height", height)] {
            if let value, value < 8 || value > 16_384 || value % 8 != 0 {
                throw ValidationError("--\(name) must be a multiple of 8 in 8...16384, got \(value)")
            }
        }
        _ = try parsedComponents()
    }

    func parsedComponents() throws -> [PipelineBenchmark.Component]? {
        guard let components else { return nil }
        let names = components.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        return try names.map { name in
            guard let component = PipelineBenchmark.Component(rawValue: name) else {
                throw ValidationError("--components: unknown component '\(name)'; choose from "
                    + PipelineBenchmark.Component.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return component
        }
    }

    /// Prints one line per component: median, load time and peak resident memory.
    static func report(_ result: PipelineBenchmark.Result) {
        print("Stable Diffusion components (\(result.precision)), \(result.width)x\(result.height) images, "
            + "\(result.iterations) timed runs each after a warm-up:")
        for timing in result.components {
            print("  " + label(timing.component, unetBatch: result.unetBatch)
                + String(format: ": median %.2f ms; load %.2f s; peak resident memory ", timing.medianMilliseconds,
                         timing.loadSeconds)
                + PeakResidentMemory.formatted(timing.peakResidentBytes) + "; output \(timing.outputShape)")
        }
    }

    private static func label(_ component: PipelineBenchmark.Component, unetBatch: Int) -> String {
        switch component {
        case .textEncoder: "text encoder (prompt and negative prompt, 77 tokens)"
        case .unet: "UNet forward, batch \(unetBatch)"
        case .vaeDecode: "VAE decode, 1 image"
        case .vaeEncode: "VAE encode, 1 image"
        }
    }
}
