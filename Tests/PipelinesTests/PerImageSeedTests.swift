import Foundation
import ParadiffusePipelines
import ParadiffuseTensors
import Testing

/// Per-image seeds: image `i` has its own generator seeded `seed + i`, equal to diffusers given a list of
/// generators (`Tools/fixtures/make_per_image_seed_fixtures.py`), so that any image can be made again alone.
struct PerImageSeedTests {
    static let firstSeed: UInt64 = 5

    static func configuration(width: Int? = nil, height: Int? = nil) -> StableDiffusionPipeline.Configuration {
        var configuration = StableDiffusionFixtures.configuration(width: width, height: height)
        configuration.seed = firstSeed
        configuration.eta = 1
        configuration.perImageSeeds = true
        return configuration
    }

    static func expectClose(_ latents: Tensor, _ name: String) throws {
        let expected = try StableDiffusionFixtures.reference("per-image-seeds").tensor(named: name)
        #expect(latents.maxAbsDifference(expected) <= 1e-3 * max(1, expected.maxAbs))
    }

    @Test func textToImageMatchesDiffusersWithAGeneratorList() throws {
        let pipeline = try StableDiffusionPipeline(folder: StableDiffusionFixtures.pipeline)
        try Self.expectClose(try pipeline.textToImage(Self.configuration(width: 32, height: 32)).latents, "text_to_image")
    }

    @Test func imageToImageMatchesDiffusersWithAGeneratorList() throws {
        let pipeline = try StableDiffusionPipeline(folder: StableDiffusionFixtures.pipeline)
        let image = try RGBImage.readPNG(url: StableDiffusionFixtures.initImage)
        try Self.expectClose(try pipeline.imageToImage(Self.configuration(), images: [image], strength: 0.6).latents,
                             "image_to_image")
    }

    @Test func inpaintingMatchesDiffusersWithAGeneratorList() throws {
        let pipeline = try StableDiffusionPipeline(folder: StableDiffusionFixtures.pipeline)
        let image = try RGBImage.readPNG(url: StableDiffusionFixtures.initImage)
        let mask = try RGBImage.readPNG(url: StableDiffusionFixtures.root.appendingPathComponent("mask-image.png"))
        let output = try pipeline.inpaint(Self.configuration(), images: [image], masks: [mask], strength: 0.7)
        try Self.expectClose(output.latents, "inpainting_blended")
    }

    /// Image 2 of a batch of 3 seeded 40 is image 0 of a run seeded 42 alone, with stochastic steps (η = 1); each
    /// image's parameters carry its own seed.
    @Test func anImageOfABatchIsMadeAgainAloneWithItsSeed() async throws {
        let pipeline = try DiffusionPipeline()
        var request = GenerationRequest(steps: 8, scheduler: .ddim, eta: 1, seed: 40, count: 3, classLabel: 4)
        request.perImageSeeds = true
        let batch = try await pipeline.generate(request)
        request.seed = 42
        request.count = 1
        let alone = try await pipeline.generate(request)

        #expect(batch.parameters.map(\.seed) == [40, 41, 42])
        let third = batch.latents.batchItem(2)
        #expect(third.maxAbsDifference(alone.latents) <= 1e-4 * max(1, alone.latents.maxAbs))
        request.perImageSeeds = false
        #expect(try await pipeline.generate(request).latents.maxAbsDifference(alone.latents) == 0)
    }

    @Test func withOneGeneratorTheBatchDiffers() async throws {
        let pipeline = try DiffusionPipeline()
        var request = GenerationRequest(steps: 4, scheduler: .ddim, eta: 1, seed: 40, count: 2, classLabel: 4)
        let shared = try await pipeline.generate(request)
        request.perImageSeeds = true
        let own = try await pipeline.generate(request)

        #expect(shared.parameters.map(\.seed) == [40, 40])
        #expect(own.parameters.map(\.seed) == [40, 41])
        #expect(shared.latents.batchItem(1).maxAbsDifference(own.latents.batchItem(1)) > 1e-2)
    }
}
