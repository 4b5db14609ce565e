import Foundation
import ParadiffuseLoading
import ParadiffusePipelines
import ParadiffuseSamplers
import ParadiffuseTensors
import Testing

enum StableDiffusionFixtures {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/stable-diffusion")
    static let pipeline = root.appendingPathComponent("tiny-sd")
    static let initImage = root.appendingPathComponent("init-image.png")
    static func reference(_ name: String) throws -> SafetensorsFile {
        try SafetensorsFile(url: root.appendingPathComponent("\(name).safetensors"))
    }

    /// The settings of `Tools/fixtures/make_stable_diffusion_fixtures.py` (seed 0, DDIM from the folder).
    static func configuration(guidanceRescale: Float = 0, width: Int? = 32, height: Int? = 32)
        -> StableDiffusionPipeline.Configuration {
        .init(prompts: ["a photograph of an astronaut riding a horse", "a watercolor of a lighthouse at dusk"],
              negativePrompts: ["blurry, low quality", ""], imagesPerPrompt: 2, guidanceScale: 7.5,
              guidanceRescale: guidanceRescale, width: width, height: height, steps: 10, seed: 0)
    }
}

/// Images as diffusers' `output_type="np"` gives them, but channels first: `(x / 2 + 0.5).clamp(0, 1)`.
func unitRange(_ images: Tensor) -> Tensor {
    images.map { min(max($0 / 2 + 0.5, 0), 1) }
}

struct StableDiffusionPipelineTests {
    @Test func promptEmbeddingsMatchDiffusersEncodePrompt() throws {
        let pipeline = try StableDiffusionPipeline(folder: StableDiffusionFixtures.pipeline)
        let reference = try StableDiffusionFixtures.reference("text-to-image")
        let configuration = StableDiffusionFixtures.configuration()
        let encoded = try pipeline.promptEncoder.encode(configuration.prompts, negativePrompts: configuration.negativePrompts,
                                                        imagesPerPrompt: 1, clipSkip: nil, withNegativePrompts: true)
        let conditional = try reference.tensor(named: "prompt_embeds")
        let unconditional = try reference.tensor(named: "negative_prompt_embeds")
        #expect(encoded.conditional.maxAbsDifference(conditional) <= 1e-4 * conditional.maxAbs)
        #expect(try #require(encoded.unconditional).maxAbsDifference(unconditional) <= 1e-4 * unconditional.maxAbs)
        #expect(encoded.truncationWarnings.isEmpty)
    }

    @Test func textToImageMatchesDiffusersPipeline() throws {
        let pipeline = try StableDiffusionPipeline(folder: StableDiffusionFixtures.pipeline)
        let reference = try StableDiffusionFixtures.reference("text-to-image")
        let output = try pipeline.textToImage(StableDiffusionFixtures.configuration())

        #expect(output.steps == 10)
        #expect(output.schedulerName == "ddim")
        #expect(output.latents.maxAbsDifference(try reference.tensor(named: "latents")) <= 1e-3)
        #expect(unitRange(output.images).maxAbsDifference(try reference.tensor(named: "images")) <= 1e-3)
    }

    @Test func guidanceRescaleMatchesDiffusersPipeline() throws {
        let pipeline = try StableDiffusionPipeline(folder: StableDiffusionFixtures.pipeline)
        let reference = try StableDiffusionFixtures.reference("text-to-image-rescaled")
        let output = try pipeline.textToImage(StableDiffusionFixtures.configuration(guidanceRescale: 0.7))
        let expected = try reference.tensor(named: "latents")
        #expect(output.latents.maxAbsDifference(expected) <= 1e-3)
        // The rescale changes the result well beyond the tolerance, so the comparison above pins it.
        let unrescaled = try StableDiffusionFixtures.reference("text-to-image").tensor(named: "latents")
        #expect(unrescaled.maxAbsDifference(expected) > 0.1)
    }

    @Test func imageToImageMatchesDiffusersPipeline() throws {
        let pipeline = try StableDiffusionPipeline(folder: StableDiffusionFixtures.pipeline)
        let reference = try StableDiffusionFixtures.reference("image-to-image")
        let image = try RGBImage.readPNG(url: StableDiffusionFixtures.initImage)
        let output = try pipeline.imageToImage(StableDiffusionFixtures.configuration(width: nil, height: nil),
                                               images: [image], strength: 0.6)

        #expect(output.steps == 6)
        #expect(output.latents.maxAbsDifference(try reference.tensor(named: "latents")) <= 1e-3)
        #expect(unitRange(output.images).maxAbsDifference(try reference.tensor(named: "images")) <= 1e-3)
    }

    @Test func guidanceScaleOfOneIgnoresNegativePrompts() throws {
        let pipeline = try StableDiffusionPipeline(folder: StableDiffusionFixtures.pipeline)
        var configuration = StableDiffusionFixtures.configuration()
        configuration.guidanceScale = 1
        configuration.steps = 2
        let withNegatives = try pipeline.textToImage(configuration)
        configuration.negativePrompts = []
        let withoutNegatives = try pipeline.textToImage(configuration)
        #expect(withNegatives.latents.maxAbsDifference(withoutNegatives.latents) == 0)
        configuration.guidanceScale = 1.5
        let guided = try pipeline.textToImage(configuration)
        #expect(guided.latents.maxAbsDifference(withoutNegatives.latents) > 1e-3)
    }

    @Test func denoiserConditionsEachGroupOfAParallelBatchLikeASingleGroup() throws {
        let pipeline = try StableDiffusionPipeline(folder: StableDiffusionFixtures.pipeline)
        var configuration = StableDiffusionFixtures.configuration()
        configuration.guidanceRescale = 0.5
        let encoded = try pipeline.promptEncoder.encode(configuration.prompts, negativePrompts: configuration.negativePrompts,
                                                        imagesPerPrompt: 2, clipSkip: nil, withNegativePrompts: true)
        let unconditional: Tensor = try #require(encoded.unconditional)
        let network = try UNet2DConditionNetwork(unet: pipeline.unet, context: encoded.conditional,
                                                 unconditionalContext: unconditional)
        let denoiser = GuidedDenoiser(network: network, guidance: ClassifierFreeGuidance(
            scale: 7.5, rescale: 0.5, order: .unconditionalFirst))
        var generator = TorchGenerator(seed: 3)
        let first = generator.randn([4, 4, 16, 16]), second = generator.randn([4, 4, 16, 16])
        let together = try denoiser.denoise(Tensor.concatenatingBatches([first, second]),
                                            timesteps: Array(repeating: 901, count: 4) + Array(repeating: 301, count: 4))
        let separate = Tensor.concatenatingBatches([
            try denoiser.denoise(first, timesteps: Array(repeating: 901, count: 4)),
            try denoiser.denoise(second, timesteps: Array(repeating: 301, count: 4)),
        ])
        #expect(together.maxAbsDifference(separate) <= 1e-5 * separate.maxAbs)
        #expect(throws: (any Error).self) { try denoiser.denoise(first.batchItems(0..<3), timesteps: [1, 1, 1]) }
    }
}
