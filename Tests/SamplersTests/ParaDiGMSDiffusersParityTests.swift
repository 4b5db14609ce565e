import Foundation
import ParadiffuseLoading
import ParadiffuseModels
import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors
import Testing

/// Seeded runs of diffusers' StableDiffusionParadigmsPipeline on a tiny UNet2DModel
/// (Tools/fixtures/make_paradigms_fixtures.py): same windows, same iteration count, same final latents.
struct ParaDiGMSDiffusersParityTests {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/paradigms")

    struct Generation: Decodable {
        let scheduler: String
        let num_inference_steps: Int
        let parallel: Int
        let tolerance: Double
        let seed: UInt64
    }

    @Test(arguments: ["ddpm100_p16_tol0.1", "ddim50_v_p8_tol0.1", "ddim50_v_p8_tol0.01", "ddpm10_p3_tol0.1"])
    func seededRunMatchesDiffusersPipeline(name: String) throws {
        let reference = try SafetensorsFile(url: Self.fixtures.appendingPathComponent("\(name).safetensors"))
        let generation = try JSONDecoder().decode(
            Generation.self, from: Data(try #require(reference.metadata["generation"]).utf8))
        let config = try JSONConfig(url: Self.fixtures.appendingPathComponent("\(name).json"))
        var scheduler: any Scheduler = generation.scheduler == "DDIMParallelScheduler"
            ? try DDIMScheduler(config: config) : try DDPMScheduler(config: config)
        try scheduler.setTimesteps(generation.num_inference_steps)
        #expect(scheduler.timesteps == (try reference.tensor(named: "timesteps")).scalars.map { Int($0) })

        let expectedInitial = try reference.tensor(named: "initial_latents")
        let run = SeededRun(seed: generation.seed, shape: expectedInitial.shape)
        #expect(run.latents.scalars == expectedInitial.scalars)
        let denoiser = UNetDenoiser(model: try UNet2DModel(componentFolder: Self.fixtures.appendingPathComponent("unet")),
                                    imagesPerGroup: expectedInitial.batchSize)
        let sampler = try ParaDiGMSSampler(parallel: generation.parallel, tolerance: generation.tolerance)
        let result = try run.sample(sampler, scheduler: scheduler, denoiser: denoiser)

        let expectedWindows = try reference.tensor(named: "window_sizes").scalars.map { Int($0) }
        #expect(denoiser.batchSizes.map { $0 / expectedInitial.batchSize } == expectedWindows)
        #expect(result.statistics.parallelIterations == expectedWindows.count)
        let expected = try reference.tensor(named: "final_latents")
        let error = result.latents.maxAbsDifference(expected) / max(expected.maxAbs, 1)
        #expect(error <= 1e-4, "final latents differ from diffusers by \(error)")
    }
}

/// The UNet's output for a latent varies in its last bits with the batch around it, so zero tolerance reproduces the
/// sequential sampler only to rounding.
struct ParaDiGMSZeroToleranceTests {
    @Test(arguments: [4, 16])
    func zeroToleranceMatchesSequentialSamplerWithUNet(parallel: Int) throws {
        let model = try UNet2DModel(componentFolder: ParaDiGMSDiffusersParityTests.fixtures.appendingPathComponent("unet"))
        var scheduler = try DDPMScheduler()
        try scheduler.setTimesteps(20)
        let run = SeededRun(seed: 9, shape: [2, 3, 16, 16])
        let sequential = try run.sample(SequentialSampler(), scheduler: scheduler,
                                        denoiser: UNetDenoiser(model: model, imagesPerGroup: 2))
        let parallel = try run.sample(ParaDiGMSSampler(parallel: parallel, tolerance: 0), scheduler: scheduler,
                                      denoiser: UNetDenoiser(model: model, imagesPerGroup: 2))
        #expect(parallel.latents.maxAbsDifference(sequential.latents) <= 1e-5)
        #expect(parallel.statistics.parallelIterations <= 20)
    }
}

/// An unconditional UNet2DModel as a denoiser; records each call's batch size.
final class UNetDenoiser: Denoiser {
    let model: UNet2DModel
    let imagesPerGroup: Int
    private(set) var batchSizes: [Int] = []

    init(model: UNet2DModel, imagesPerGroup: Int) {
        self.model = model
        self.imagesPerGroup = imagesPerGroup
    }

    func denoise(_ latents: Tensor, timesteps: [Float]) throws -> Tensor {
        batchSizes.append(latents.batchSize)
        return try model(latents, timesteps: timesteps)
    }
}
