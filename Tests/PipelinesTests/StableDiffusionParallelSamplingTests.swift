import Foundation
import ParadiffusePipelines
import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors
import Testing

/// Image-to-image and inpainting (both UNet kinds) under ParaDiGMS and ParaTAA equal their sequential runs: the
/// skipped steps and the mask blend are part of the parallel schedulers' transitions. With tolerance 0 each
/// parallel sampler iterates to its fixed point, the sequential trajectory.
struct StableDiffusionParallelSamplingTests {
    static let samplers: [String] = ["paradigms", "parataa"]

    static func sampler(_ name: String) throws -> any Sampler {
        name == "paradigms"
            ? try ParaDiGMSSampler(parallel: 4, tolerance: 0)
            : try ParaTAASampler(window: 6, order: 2, memory: 2, absoluteTolerance: 0, noiseTolerance: 0)
    }

    static func inputs() throws -> (image: RGBImage, mask: RGBImage) {
        (try RGBImage.readPNG(url: StableDiffusionFixtures.initImage),
         try RGBImage.readPNG(url: StableDiffusionInpaintingTests.maskImage))
    }

    static func expectClose(_ parallel: StableDiffusionPipeline.Output, _ sequential: StableDiffusionPipeline.Output) {
        #expect(parallel.steps == sequential.steps)
        #expect(parallel.latents.maxAbsDifference(sequential.latents) <= 1e-4 * max(1, sequential.latents.maxAbs))
    }

    @Test(arguments: samplers) func imageToImageEqualsSequential(sampler name: String) throws {
        let pipeline = try StableDiffusionPipeline(folder: StableDiffusionFixtures.pipeline)
        let configuration = StableDiffusionFixtures.configuration(width: nil, height: nil)
        let image = try Self.inputs().image
        let sequential = try pipeline.imageToImage(configuration, images: [image], strength: 0.6)
        let parallel = try pipeline.imageToImage(configuration, images: [image], strength: 0.6,
                                                 sampler: Self.sampler(name))
        #expect(sequential.steps == 6)
        Self.expectClose(parallel, sequential)
    }

    @Test(arguments: samplers) func blendedInpaintingEqualsSequential(sampler name: String) throws {
        let pipeline = try StableDiffusionPipeline(folder: StableDiffusionFixtures.pipeline)
        let configuration = StableDiffusionFixtures.configuration(width: nil, height: nil)
        let (image, mask) = try Self.inputs()
        let sequential = try pipeline.inpaint(configuration, images: [image], masks: [mask], strength: 0.8)
        let parallel = try pipeline.inpaint(configuration, images: [image], masks: [mask], strength: 0.8,
                                            sampler: Self.sampler(name))
        Self.expectClose(parallel, sequential)
    }

    @Test(arguments: samplers) func inpaintingUNetEqualsSequential(sampler name: String) throws {
        let pipeline = try StableDiffusionPipeline(folder: StableDiffusionInpaintingTests.inpaintingPipeline)
        let configuration = StableDiffusionFixtures.configuration(width: nil, height: nil)
        let (image, mask) = try Self.inputs()
        let sequential = try pipeline.inpaint(configuration, images: [image], masks: [mask], strength: 0.7)
        let parallel = try pipeline.inpaint(configuration, images: [image], masks: [mask], strength: 0.7,
                                            sampler: Self.sampler(name))
        Self.expectClose(parallel, sequential)
    }

    /// At the samplers' default tolerances the parallel runs take fewer rounds than steps and stay close.
    @Test(arguments: samplers) func imageToImageAtDefaultTolerancesTakesFewerRounds(sampler name: String) throws {
        let pipeline = try StableDiffusionPipeline(folder: StableDiffusionFixtures.pipeline)
        var configuration = StableDiffusionFixtures.configuration(width: nil, height: nil)
        configuration.steps = 40
        let image = try Self.inputs().image
        let sampler: any Sampler = name == "paradigms"
            ? try ParaDiGMSSampler(parallel: 16) : try ParaTAASampler(window: 16, order: 4)
        let sequential = try pipeline.imageToImage(configuration, images: [image], strength: 0.6)
        let parallel = try pipeline.imageToImage(configuration, images: [image], strength: 0.6, sampler: sampler)
        // Measured on the fixture: ParaDiGMS 6 rounds for 24 steps, max |Δ| 0.5 % of the latents' range; ParaTAA
        // 10 rounds, 0.013 %.
        #expect(sequential.statistics.parallelIterations == 24)
        #expect(parallel.statistics.parallelIterations <= 12)
        #expect(parallel.latents.maxAbsDifference(sequential.latents) <= 0.01 * sequential.latents.maxAbs)
    }

    /// A multistep solver restarts its history after the skipped steps, which its batched transitions do not
    /// reproduce: refused, naming what works.
    @Test func imageToImageWithAMultistepSolverInParallelIsRefused() throws {
        let pipeline = try StableDiffusionPipeline(folder: StableDiffusionFixtures.pipeline)
        var configuration = StableDiffusionFixtures.configuration(width: nil, height: nil)
        configuration.scheduler = .dpmSolver
        let image = try Self.inputs().image
        #expect {
            _ = try pipeline.imageToImage(configuration, images: [image], strength: 0.6,
                                          sampler: ParaDiGMSSampler(parallel: 4, tolerance: 0))
        } throws: { error in
            "\(error)".contains("must be a one-step scheduler (ddim, ddpm, euler) for parallel sampling")
        }
    }

    /// Blending throws away a stochastic step's noise outside the mask, which a noise scale cannot express.
    @Test func blendedInpaintingWithAStochasticSchedulerInParallelIsRefused() throws {
        let pipeline = try StableDiffusionPipeline(folder: StableDiffusionFixtures.pipeline)
        var configuration = StableDiffusionFixtures.configuration(width: nil, height: nil)
        configuration.scheduler = .ddpm
        let (image, mask) = try Self.inputs()
        #expect {
            _ = try pipeline.inpaint(configuration, images: [image], masks: [mask], strength: 0.8,
                                     sampler: ParaDiGMSSampler(parallel: 4, tolerance: 0))
        } throws: { error in
            "\(error)".contains("must be deterministic")
        }
    }
}
