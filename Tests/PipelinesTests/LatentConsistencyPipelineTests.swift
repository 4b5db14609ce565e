import Foundation
import ParadiffuseLoading
import ParadiffusePipelines
import ParadiffuseSchedulers
import ParadiffuseTensors
import Testing

/// Text-to-image on a guidance-distilled UNet with the LCM scheduler equals diffusers'
/// LatentConsistencyModelPipeline (Tools/fixtures/make_lcm_fixtures.py): the guidance scale enters as an
/// embedding, one UNet pass per image, and the noise between steps comes from the seeded generator.
struct LatentConsistencyPipelineTests {
    static let pipeline = StableDiffusionFixtures.root.appendingPathComponent("tiny-lcm")

    static func configuration(guidanceScale: Float = 8.5) -> StableDiffusionPipeline.Configuration {
        .init(prompts: ["a photograph of an astronaut riding a horse", "a watercolor of a lighthouse at dusk"],
              imagesPerPrompt: 2, guidanceScale: guidanceScale, width: 32, height: 32, steps: 4, seed: 0)
    }

    @Test func textToImageMatchesDiffusersPipeline() throws {
        let pipeline = try StableDiffusionPipeline(folder: Self.pipeline)
        let reference = try StableDiffusionFixtures.reference("lcm-text-to-image")
        let output = try pipeline.textToImage(Self.configuration())
        #expect(output.schedulerName == "lcm")
        #expect(output.steps == 4)
        #expect(output.statistics.modelEvaluations == 16)
        let latents = try reference.tensor(named: "latents")
        #expect(output.latents.maxAbsDifference(latents) <= 1e-3 * max(1, latents.maxAbs))
        #expect(unitRange(output.images).maxAbsDifference(try reference.tensor(named: "images")) <= 1e-3)
    }

    /// The guidance scale reaches the UNet only through the embedding: another scale moves the result beyond the
    /// tolerance above.
    @Test func guidanceScaleChangesTheResultThroughTheEmbedding() throws {
        let pipeline = try StableDiffusionPipeline(folder: Self.pipeline)
        let latents = try StableDiffusionFixtures.reference("lcm-text-to-image").tensor(named: "latents")
        let output = try pipeline.textToImage(Self.configuration(guidanceScale: 2))
        #expect(output.latents.maxAbsDifference(latents) > 1e-2 * latents.maxAbs)
    }

    /// `DiffusionPipeline` loads a LatentConsistencyModelPipeline folder as the Stable Diffusion pipeline and, without
    /// steps and guidance, takes diffusers' LCM defaults (4 steps, guidance 8.5): the fixture's run.
    @Test func diffusionPipelineRunsLCMFolderWithDiffusersDefaults() async throws {
        var prompt = PromptRequest(prompts: Self.configuration().prompts)
        prompt.width = 32
        prompt.height = 32
        let pipeline = try DiffusionPipeline(folder: Self.pipeline)

        let result = try await pipeline.generate(GenerationRequest(seed: 0, count: 2, prompt: prompt))

        let expected = try StableDiffusionFixtures.reference("lcm-text-to-image").tensor(named: "latents")
        #expect(result.latents.maxAbsDifference(expected) <= 1e-3 * max(1, expected.maxAbs))
        #expect(result.images.count == 4 && result.parameters.map(\.prompt) == prompt.prompts.flatMap { [$0, $0] })
        #expect(result.parameters.allSatisfy { $0.steps == 4 && $0.guidance == 8.5 })
    }
}
