import Foundation
import ParadiffuseModels
import ParadiffusePipelines
import ParadiffuseTensors
import Testing

/// `vae:` replaces a folder's VAE as diffusers' `from_pretrained(..., vae=...)` does: the same latents, decoded by
/// the other VAE (here one with another downsampling factor and scaling factor).
struct VAESwapTests {
    static let otherVAE = PipelineFixtures.root.appendingPathComponent("vae/three-level", isDirectory: true)

    @Test func theSwappedVAEDecodesTheLatents() async throws {
        let pipeline = try DiffusionPipeline(folder: StableDiffusionFixtures.pipeline, vae: Self.otherVAE)
        var request = GenerationRequest(steps: 2, seed: 3, prompt: PromptRequest(prompts: ["a lighthouse"]))
        request.prompt?.width = 32
        request.prompt?.height = 32
        let result = try await pipeline.generate(request)

        let vae = try AutoencoderKL(componentFolder: Self.otherVAE)
        #expect(result.latents.shape == [1, 4, 8, 8])
        let decoded = try vae.decode(result.latents / vae.configuration.scalingFactor)
        #expect(result.images == (try RGBImage.images(fromBatch: decoded)))
        #expect(pipeline.pipeline.autoencoder?.configuration.scalingFactor == vae.configuration.scalingFactor)
    }

    @Test func aModelWithoutVAETakesNone() throws {
        #expect {
            _ = try DiffusionPipeline(folder: DefaultModel.url, vae: Self.otherVAE)
        } throws: { error in
            "\(error)".contains("--vae applies to Stable Diffusion and DiT folders")
        }
        #expect(try DiffusionPipeline().pipeline.autoencoder == nil)
    }
}
