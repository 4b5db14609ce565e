import Foundation
import ParadiffuseLoading
import ParadiffuseModels
import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors
import Testing

/// Seeded ParaTAA runs on a tiny UNet2DModel against the NumPy/PyTorch port of the reference algorithm in
/// Tools/fixtures/make_parataa_fixtures.py (DDIM 25 steps, window = all steps, batch 2).
struct ParaTAAReferenceTests {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/parataa")

    struct Run: Decodable {
        let order: Int
        let memory: Int
        let window: Int
        let eta: Double
        let regularization: Double
        let absolute_tolerance: Double
        let noise_tolerance: Double
        let steps: Int
    }

    static func model() throws -> UNet2DModel {
        try UNet2DModel(componentFolder: fixtures.appendingPathComponent("unet"))
    }

    static func scheduler(steps: Int, eta: Double) throws -> DDIMScheduler {
        var scheduler = try DDIMScheduler(config: JSONConfig(url: fixtures.appendingPathComponent("scheduler_config.json")),
                                          options: StepOptions(eta: eta))
        try scheduler.setTimesteps(steps)
        return scheduler
    }

    @Test(arguments: ["order1-memory1", "order2-memory3", "order1-memory1-eta1", "order2-memory3-eta1"])
    func seededRunMatchesReferencePort(name: String) throws {
        let reference = try SafetensorsFile(url: Self.fixtures.appendingPathComponent("\(name).safetensors"))
        let run = try JSONDecoder().decode(Run.self, from: Data(try #require(reference.metadata["run"]).utf8))
        let scheduler = try Self.scheduler(steps: run.steps, eta: run.eta)
        #expect(scheduler.timesteps == (try reference.tensor(named: "timesteps")).scalars.map { Int($0) })
        let initial = try reference.tensor(named: "initial_sample")
        let seeded = SeededRun(seed: UInt64(try reference.tensor(named: "seed").scalars[0]), shape: initial.shape)
        #expect(seeded.latents.scalars == initial.scalars)

        var sampler = try ParaTAASampler(window: run.window, order: run.order, memory: run.memory,
                                         regularization: run.regularization, absoluteTolerance: run.absolute_tolerance,
                                         noiseTolerance: run.noise_tolerance)
        var reports: [ParaTAAIterationReport] = []
        sampler.onIteration = { reports.append($0) }
        let result = try seeded.sample(sampler, scheduler: scheduler,
                                       denoiser: ParaTAAUNetDenoiser(model: Self.model(), imagesPerGroup: initial.batchSize))

        #expect(result.statistics.parallelIterations == Int(try reference.tensor(named: "iterations").scalars[0]))
        #expect(reports.map(\.convergedSteps) == (try reference.tensor(named: "converged_steps")).scalars.map { Int($0) })
        let expectedNorms = try reference.tensor(named: "residual_norms")
        let (iterations, steps, images) = (expectedNorms.shape[0], expectedNorms.shape[1], expectedNorms.shape[2])
        let expected = expectedNorms.scalars
        for (iteration, report) in reports.prefix(iterations).enumerated() {
            for step in 0..<steps {
                for image in 0..<images {
                    let value = Double(expected[(iteration * steps + step) * images + image])
                    guard report.window.contains(step) else {
                        #expect(value < 0, "iteration \(iteration + 1) step \(step) is outside the window")
                        continue
                    }
                    // Residuals far below the convergence tolerance are rounding-level: they are compared at
                    // 1e-4 of the tolerance.
                    let computed = report.residualNorms[step - report.window.lowerBound][image]
                    #expect(abs(computed - value) <= 1e-4 * max(value, run.absolute_tolerance),
                            "iteration \(iteration + 1) step \(step) image \(image): \(computed) vs \(value)")
                }
            }
        }
        let final = try reference.tensor(named: "final_sample")
        #expect(result.latents.maxAbsDifference(final) <= 1e-4)
    }

    /// The UNet's output for a latent varies in its last bits with the batch around it, so tolerance 0 reproduces
    /// the sequential sampler only to rounding (amplified about 100 times by deterministic DDIM here).
    @Test(arguments: [0.0, 1.0])
    func fullOrderZeroToleranceReachesSequentialResultWithUNet(eta: Double) throws {
        let scheduler = try Self.scheduler(steps: 25, eta: eta)
        let model = try Self.model()
        let seeded = SeededRun(seed: 31, shape: [2, 3, 16, 16])
        let sequential = try seeded.sample(SequentialSampler(), scheduler: scheduler,
                                           denoiser: ParaTAAUNetDenoiser(model: model, imagesPerGroup: 2))
        let sampler = try ParaTAASampler(window: 25, order: 25, memory: 3, absoluteTolerance: 0, noiseTolerance: 0)
        let parallel = try seeded.sample(sampler, scheduler: scheduler,
                                         denoiser: ParaTAAUNetDenoiser(model: model, imagesPerGroup: 2))
        #expect(parallel.statistics.parallelIterations <= 25)
        #expect(parallel.latents.maxAbsDifference(sequential.latents) <= 1e-5)
    }
}

/// An unconditional UNet2DModel as a denoiser.
final class ParaTAAUNetDenoiser: Denoiser {
    let model: UNet2DModel
    let imagesPerGroup: Int

    init(model: UNet2DModel, imagesPerGroup: Int) {
        self.model = model
        self.imagesPerGroup = imagesPerGroup
    }

    func denoise(_ latents: Tensor, timesteps: [Float]) throws -> Tensor {
        try model(latents, timesteps: timesteps)
    }
}
