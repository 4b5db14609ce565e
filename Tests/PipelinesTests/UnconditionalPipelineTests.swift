import Foundation
import ParadiffuseLoading
import ParadiffuseModels
import ParadiffusePipelines
import ParadiffuseSchedulers
import ParadiffuseTensors
import Testing

struct UnconditionalPipelineTests {
    private func pipeline() throws -> UnconditionalPipeline {
        try UnconditionalPipeline(model: UNet2DModel(componentFolder: PipelineFixtures.pipelineUNet),
                                  schedulerConfig: JSONConfig(url: PipelineFixtures.schedulerConfig),
                                  folder: PipelineFixtures.pipelineUNet)
    }

    @Test(arguments: [("ddpm1000", SchedulerKind.ddpm, 1000, 0.0), ("ddim50", .ddim, 50, 0.0), ("ddim50-eta1", .ddim, 50, 1.0)])
    func seededTrajectoryMatchesDiffusersPipeline(fixture: String, scheduler: SchedulerKind, steps: Int, eta: Double) throws {
        let reference = try SafetensorsFile(url: PipelineFixtures.trajectory(fixture))
        let seed = UInt64(try reference.tensor(named: "seed").scalars[0])
        let expected = try reference.tensor(named: "final_sample")
        let expectedTimesteps = try reference.tensor(named: "timesteps").scalars.map { Int($0) }

        let pipeline = try pipeline()
        let configuration = UnconditionalPipeline.Configuration(scheduler: scheduler, steps: steps, eta: eta, seed: seed,
                                                                count: expected.batchSize)
        #expect(try pipeline.makeScheduler(configuration).scheduler.timesteps == expectedTimesteps)
        let output = try pipeline.generate(configuration)

        #expect(output.statistics.parallelIterations == steps)
        #expect(output.samples.maxAbsDifference(expected) <= 1e-3)
    }

    @Test func classLabelForAnUnconditionalModelIsRejected() throws {
        let pipeline = try pipeline()
        #expect {
            _ = try pipeline.generate(.init(steps: 2, seed: 0, classLabel: 3))
        } throws: { error in "\(error)".contains("--class") && "\(error)".contains("not class-conditional") }
    }

    @Test func guidanceWithoutClassesIsRejected() throws {
        let pipeline = try pipeline()
        #expect {
            _ = try pipeline.generate(.init(steps: 2, seed: 0, guidance: 3))
        } throws: { error in "\(error)".contains("--guidance") }
    }
}
