import ArgumentParser
import Foundation
import Paradiffuse

/// `generate`'s VAE options: another VAE (as diffusers' `from_pretrained(..., vae=AutoencoderKL.from_pretrained(…))`,
/// the swap guides recommend, e.g. stabilityai/sd-vae-ft-mse) and the memory-bounding decode modes.
struct VAEOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A VAE component folder (config.json + weights) or Hugging Face id in the local hub "
                               + "cache, used instead of the model's own.", valueName: "path|id"))
    var vae: String?

    @Flag(help: "Decode (and encode) the VAE's images tile by tile, as diffusers' enable_tiling(): large images in bounded memory; results differ slightly near the seams.")
    var vaeTiling = false

    @Flag(help: "Decode (and encode) one image of a batch at a time, as diffusers' enable_slicing().")
    var vaeSlicing = false

    /// The swapped VAE's folder, or nil to keep the model's.
    func folder() throws -> URL? { try vae.map { try ModelOption.folder(named: $0, revision: nil) } }

    /// Sets the pipeline's VAE to tile and slice as asked; asking a pipeline without a VAE is an error.
    func apply(to pipeline: DiffusionPipeline) throws {
        guard vaeTiling || vaeSlicing else { return }
        guard let autoencoder = pipeline.pipeline.autoencoder else {
            throw ValidationError("--vae-tiling and --vae-slicing apply to models with a VAE; \(pipeline.modelName) has none")
        }
        if vaeTiling { autoencoder.tiling = AutoencoderKL.Tiling(configuration: autoencoder.configuration) }
        autoencoder.slicing = vaeSlicing
    }
}
