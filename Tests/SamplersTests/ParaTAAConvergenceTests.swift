import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors
import Testing

/// ParaTAA against the sequential sampler and a plain fixed-point iteration, with a denoiser that batching cannot
/// change (`ParaTAAToyDenoiser`), so exact steps repeat the sequential ones bit for bit.
struct ParaTAAConvergenceTests {
    static let shape = [2, 3, 4, 4]

    enum SchedulerCase: String, CaseIterable, CustomStringConvertible {
        case ddim12, ddim12EtaOne, ddpm12
        var description: String { rawValue }

        func make() throws -> any ParallelScheduler {
            switch self {
            case .ddim12: try ParaTAASchedulers.ddim(steps: 12)
            case .ddim12EtaOne: try ParaTAASchedulers.ddim(steps: 12, eta: 1)
            case .ddpm12: try ParaTAASchedulers.ddpm(steps: 12)
            }
        }
    }

    private func sequential(_ scheduler: any Scheduler, run: SeededRun) throws -> SamplingResult {
        try run.sample(SequentialSampler(keepsTrajectory: true), scheduler: scheduler,
                       denoiser: ParaTAAToyDenoiser(imagesPerGroup: 2))
    }

    /// The triangular structure: each iteration makes the earliest unconverged step exact, so with tolerance 0
    /// every order, memory and window ends within one iteration per step, on the sequential trajectory.
    @Test(arguments: SchedulerCase.allCases, [(12, 12, 1), (12, 12, 3), (12, 4, 2), (4, 2, 3), (5, 1, 1), (1, 1, 1)])
    func zeroToleranceReachesSequentialTrajectoryWithinStepCount(schedulerCase: SchedulerCase,
                                                                 setting: (window: Int, order: Int, memory: Int)) throws {
        let run = SeededRun(seed: 5, shape: Self.shape)
        let expected = try #require(try sequential(schedulerCase.make(), run: run).trajectory)
        let sampler = try ParaTAASampler(window: setting.window, order: setting.order, memory: setting.memory,
                                         absoluteTolerance: 0, noiseTolerance: 0, keepsTrajectory: true)
        let result = try run.sample(sampler, scheduler: schedulerCase.make(), denoiser: ParaTAAToyDenoiser(imagesPerGroup: 2))
        let trajectory = try #require(result.trajectory)
        #expect(result.statistics.parallelIterations <= 12)
        #expect(trajectory.count == expected.count)
        for (entry, (computed, sequential)) in zip(trajectory, expected).enumerated() {
            #expect(computed.maxAbsDifference(sequential) <= 1e-5, "entry \(entry)")
        }
        #expect(result.latents.scalars == trajectory.last?.scalars)
    }

    /// Memory 1 is no acceleration: after each iteration the trajectory is the plain order-k fixed-point iterate,
    /// written out below with the scheduler's own `step`.
    @Test(arguments: [1, 3], [SchedulerCase.ddim12, .ddim12EtaOne])
    func memoryOneIsThePlainFixedPointIteration(order: Int, schedulerCase: SchedulerCase) throws {
        let run = SeededRun(seed: 8, shape: Self.shape)
        let scheduler = try schedulerCase.make()
        for iterations in [1, 2, 3, 6] {
            let sampler = try ParaTAASampler(window: 12, order: order, memory: 1, absoluteTolerance: 0,
                                             noiseTolerance: 0, maxIterations: iterations, keepsTrajectory: true)
            let result = try run.sample(sampler, scheduler: scheduler, denoiser: ParaTAAToyDenoiser(imagesPerGroup: 2))
            let expected = try plainFixedPointIterate(order: order, iterations: iterations, run: run, scheduler: scheduler)
            for (entry, (computed, plain)) in zip(try #require(result.trajectory), expected).enumerated() {
                #expect(computed.maxAbsDifference(plain) <= 1e-6, "\(iterations) iterations, entry \(entry)")
            }
        }
    }

    /// Acceleration changes the iterates (memory 3 is not memory 1) but not the solution.
    @Test func andersonAccelerationChangesTheIteratesButNotTheSolution() throws {
        let run = SeededRun(seed: 8, shape: Self.shape)
        let scheduler = try ParaTAASchedulers.ddim(steps: 12)
        func sample(memory: Int, maxIterations: Int?) throws -> SamplingResult {
            try run.sample(try ParaTAASampler(window: 12, order: 3, memory: memory, absoluteTolerance: 0,
                                              noiseTolerance: 0, maxIterations: maxIterations),
                           scheduler: scheduler, denoiser: ParaTAAToyDenoiser(imagesPerGroup: 2))
        }
        #expect(try sample(memory: 3, maxIterations: 4).latents.maxAbsDifference(
            try sample(memory: 1, maxIterations: 4).latents) > 1e-4)
        #expect(try sample(memory: 3, maxIterations: nil).latents.maxAbsDifference(
            try sample(memory: 1, maxIterations: nil).latents) <= 1e-5)
    }

    @Test func defaultTolerancesStopEarlyNearTheSequentialResult() throws {
        let run = SeededRun(seed: 3, shape: Self.shape)
        let scheduler = try ParaTAASchedulers.ddim(steps: 12, eta: 1)
        let expected = try sequential(scheduler, run: run)
        let result = try run.sample(try ParaTAASampler(window: 12, order: 4, memory: 3), scheduler: scheduler,
                                    denoiser: ParaTAAToyDenoiser(imagesPerGroup: 2))
        #expect(result.statistics.parallelIterations < 12)
        #expect(result.latents.maxAbsDifference(expected.latents) <= 1e-2)
    }

    /// A step has converged when every image's residual RMS is at most max(tol1, tol2·σ_t); each iteration ends
    /// the converged steps before the earliest step that has not.
    @Test func convergenceTakesTheLargerToleranceOfEachStep() throws {
        let scheduler = try ParaTAASchedulers.ddim(steps: 12, eta: 1)
        var sampler = try ParaTAASampler(window: 6, order: 2, memory: 2, absoluteTolerance: 0.01, noiseTolerance: 0.2)
        var reports: [ParaTAAIterationReport] = []
        sampler.onIteration = { reports.append($0) }
        _ = try SeededRun(seed: 6, shape: Self.shape).sample(sampler, scheduler: scheduler,
                                                                     denoiser: ParaTAAToyDenoiser(imagesPerGroup: 2))
        var decidedByNoiseTolerance = 0
        for report in reports {
            let noiseTolerances = try report.window.map {
                0.2 * Double(try scheduler.posteriorStandardDeviation(at: scheduler.timesteps[$0]))
            }
            let converged = zip(report.residualNorms, noiseTolerances).map { norms, noiseTolerance in
                norms.allSatisfy { $0 <= max(0.01, noiseTolerance) }
            }
            decidedByNoiseTolerance += zip(report.residualNorms, converged).filter { norms, converged in
                converged && norms.contains { $0 > 0.01 }
            }.count
            let firstUnconverged = converged.firstIndex(of: false)
            #expect(report.convergedSteps == firstUnconverged.map { report.window.lowerBound + $0 + 1 } ?? report.window.upperBound)
        }
        #expect(decidedByNoiseTolerance > 0)
    }

    private func plainFixedPointIterate(order: Int, iterations: Int, run: SeededRun,
                                        scheduler: any ParallelScheduler) throws -> [Tensor] {
        let timesteps = scheduler.timesteps
        let noise = run.stepNoise(scheduler)
        let denoiser = ParaTAAToyDenoiser(imagesPerGroup: 2)
        var trajectory = Array(repeating: run.latents, count: timesteps.count + 1)
        for _ in 0..<iterations {
            let outputs = try timesteps.indices.map { step in
                try denoiser.denoise(trajectory[step], timesteps: [Float](repeating: Float(timesteps[step]), count: 2))
            }
            var next = trajectory
            for step in timesteps.indices {
                let anchor = max(step + 1 - order, 0)
                var value = trajectory[anchor]
                for earlier in anchor...step {
                    var stepper = scheduler
                    value = try stepper.step(modelOutput: outputs[earlier], timestep: timesteps[earlier], sample: value) { _ in
                        noise[earlier]!
                    }
                }
                next[step + 1] = value
            }
            trajectory = next
        }
        return trajectory
    }
}
