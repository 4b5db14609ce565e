import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors
import Testing

struct ParaTAAParameterTests {
    static let shape = [2, 3, 4, 4]

    struct BadSetting: CustomStringConvertible, Sendable {
        let parameter: String
        var window = 4, order = 2, memory = 2
        var regularization = 1e-3, absoluteTolerance = 1e-3, noiseTolerance = 1e-3
        var maxIterations: Int?
        var withTrajectory = false
        var variationSteps: Int?
        var description: String { parameter }
    }

    static let badSettings = [
        BadSetting(parameter: "window", window: 0, order: 0),
        BadSetting(parameter: "order", order: 0),
        BadSetting(parameter: "order", window: 2, order: 3),
        BadSetting(parameter: "memory", memory: 0),
        BadSetting(parameter: "regularization", regularization: -1e-3),
        BadSetting(parameter: "regularization", regularization: .infinity),
        BadSetting(parameter: "absoluteTolerance", absoluteTolerance: -1),
        BadSetting(parameter: "noiseTolerance", noiseTolerance: .nan),
        BadSetting(parameter: "maxIterations", maxIterations: 0),
        BadSetting(parameter: "variationSteps", variationSteps: 3),
        BadSetting(parameter: "variationSteps", withTrajectory: true, variationSteps: 0),
    ]

    @Test(arguments: badSettings)
    func invalidParameterIsRejectedByName(setting: BadSetting) {
        let trajectory = setting.withTrajectory ? Array(repeating: Tensor(zeros: Self.shape), count: 7) : nil
        #expect {
            _ = try ParaTAASampler(window: setting.window, order: setting.order, memory: setting.memory,
                                   regularization: setting.regularization, absoluteTolerance: setting.absoluteTolerance,
                                   noiseTolerance: setting.noiseTolerance, maxIterations: setting.maxIterations,
                                   initialTrajectory: trajectory, variationSteps: setting.variationSteps)
        } throws: { error in
            guard case .invalidParameter(let parameter, _) = error as? ParaTAAError else { return false }
            return parameter == setting.parameter && "\(error)".contains("'\(setting.parameter)'")
        }
    }

    @Test(arguments: [(5, Self.shape, "initialTrajectory"), (7, [2, 3, 4, 5], "initialTrajectory"),
                      (7, Self.shape, "variationSteps")])
    func unusableWarmStartIsRejectedByName(count: Int, entryShape: [Int], parameter: String) throws {
        let sampler = try ParaTAASampler(window: 6, order: 2, initialTrajectory: Array(repeating: Tensor(zeros: entryShape),
                                                                                      count: count),
                                         variationSteps: parameter == "variationSteps" ? 7 : nil)
        #expect {
            _ = try SeededRun(seed: 1, shape: Self.shape).sample(
                sampler, scheduler: try ParaTAASchedulers.ddim(steps: 6), denoiser: ParaTAAToyDenoiser(imagesPerGroup: 2))
        } throws: { error in
            guard case .invalidParameter(let named, _) = error as? ParaTAAError else { return false }
            return named == parameter
        }
    }

    @Test func schedulerWithoutBatchedTransitionIsRejected() throws {
        #expect {
            _ = try SeededRun(seed: 1, shape: Self.shape).sample(
                try ParaTAASampler(window: 4, order: 2), scheduler: SequentialOnlyScheduler(),
                denoiser: ParaTAAToyDenoiser(imagesPerGroup: 2))
        } throws: { error in
            guard case .schedulerNotParallel(let name) = error as? ParaTAAError else { return false }
            return name.contains("SequentialOnlyScheduler") && "\(error)".contains("'scheduler'")
        }
    }

    @Test func multistepSchedulerIsRejected() throws {
        var scheduler = try DPMSolverMultistepScheduler()
        try scheduler.setTimesteps(8)
        #expect {
            _ = try SeededRun(seed: 1, shape: Self.shape).sample(
                try ParaTAASampler(window: 4, order: 2), scheduler: scheduler,
                denoiser: ParaTAAToyDenoiser(imagesPerGroup: 2))
        } throws: { error in
            guard case .multistepScheduler(let name) = error as? ParaTAAError else { return false }
            return name.contains("DPMSolverMultistepScheduler") && "\(error)".contains("ParaDiGMS")
        }
    }

    @Test func latentsMustHoldOneGroupOfImages() throws {
        #expect {
            _ = try SeededRun(seed: 1, shape: Self.shape).sample(
                try ParaTAASampler(window: 4, order: 2), scheduler: try ParaTAASchedulers.ddim(steps: 6),
                denoiser: ParaTAAToyDenoiser(imagesPerGroup: 1))
        } throws: { error in
            guard case .invalidParameter(let parameter, _) = error as? ParaTAAError else { return false }
            return parameter == "latents"
        }
    }

    @Test func statisticsAndProgressFollowTheWindow() throws {
        let denoiser = ParaTAAToyDenoiser(imagesPerGroup: 2)
        var progress: [Int] = []
        var reports: [ParaTAAIterationReport] = []
        var sampler = try ParaTAASampler(window: 5, order: 2, memory: 3)
        sampler.onIteration = { reports.append($0) }
        let result = try SeededRun(seed: 4, shape: Self.shape).sample(
            sampler, scheduler: try ParaTAASchedulers.ddim(steps: 12), denoiser: denoiser) { step in
            #expect(step.total == 12)
            progress.append(step.completed)
        }
        #expect(result.statistics.parallelIterations == denoiser.batchSizes.count)
        #expect(result.statistics.modelEvaluations == denoiser.batchSizes.reduce(0, +))
        #expect(denoiser.batchSizes == reports.map { $0.window.count * 2 })
        #expect(progress == reports.map(\.convergedSteps))
        #expect(progress.last == 12)
        for (previous, report) in zip([0] + progress, reports) {
            #expect(report.window.lowerBound == previous)
            #expect(report.window.count == min(5, 12 - previous))
            #expect(report.convergedSteps > previous)
            #expect(report.residualNorms.count == report.window.count && report.residualNorms.allSatisfy { $0.count == 2 })
        }
    }

    @Test func maxIterationsStopsEarlyWithTheCurrentEstimate() throws {
        let denoiser = ParaTAAToyDenoiser(imagesPerGroup: 2)
        let sampler = try ParaTAASampler(window: 4, order: 2, absoluteTolerance: 0, noiseTolerance: 0,
                                         maxIterations: 2, keepsTrajectory: true)
        let result = try SeededRun(seed: 4, shape: Self.shape).sample(
            sampler, scheduler: try ParaTAASchedulers.ddim(steps: 12), denoiser: denoiser)
        let trajectory = try #require(result.trajectory)
        #expect(result.statistics.parallelIterations == 2)
        #expect(trajectory.count == 13)
        #expect(result.latents.scalars == trajectory.last?.scalars)
    }
}

private struct SequentialOnlyScheduler: Scheduler {
    var timesteps: [Int] { [1, 0] }
    var initNoiseSigma: Float { 1 }
    mutating func setTimesteps(_ count: Int) throws {}
    func scaleModelInput(_ sample: Tensor, timestep: Int) -> Tensor { sample }
    mutating func step(modelOutput: Tensor, timestep: Int, sample: Tensor, noise: NoiseSource) throws -> Tensor { sample }
    func addNoise(original: Tensor, noise: Tensor, timesteps: [Int]) throws -> Tensor { original }
}
