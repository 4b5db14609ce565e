import Foundation
import ParadiffuseLoading
import ParadiffuseTensors

/// Loads the models of a folder as `paradiffuse generate` does, to report what loading costs.
public enum ModelLoading {
    public struct Report: Sendable {
        public let seconds: Double
        /// The process's peak resident memory once loaded. Weights read as stored stay memory-mapped until the
        /// first forward pass packs them, so `bench` reports the peak that includes packing.
        public let peakResidentBytes: Int
    }

    /// Loads a Stable Diffusion pipeline's text encoder, UNet and VAE, a DiT pipeline's transformer and VAE, or an
    /// unconditional pipeline's UNet; `quantization` applies to Stable Diffusion and unconditional pipelines.
    public static func load(folder: URL, variant: String?, precision: Precision,
                            quantization: Quantization = .none) throws -> Report {
        let start = Date()
        let pipelineClass = try DiffusersFolder(url: folder).modelIndex?.className
        if pipelineClass?.hasPrefix("StableDiffusion") == true {
            _ = try StableDiffusionPipeline(folder: folder, variant: variant, precision: precision,
                                            quantization: quantization)
        } else if pipelineClass == "DiTPipeline" {
            if quantization != .none { throw GenerationError.quantizationUnavailable(pipeline: "DiTPipeline") }
            _ = try DiTPipeline(folder: folder, variant: variant, precision: precision)
        } else {
            _ = try UnconditionalPipeline(folder: folder, precision: precision, quantization: quantization)
        }
        return Report(seconds: Date().timeIntervalSince(start), peakResidentBytes: PeakResidentMemory.bytes)
    }
}
