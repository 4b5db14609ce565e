import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors
import Testing

struct ParaDiGMSSamplerTests {
    static let shape = [2, 3, 4, 4]

    enum SchedulerCase: String, CaseIterable, CustomStringConvertible {
        case ddpm30, ddim20, ddim20EtaOne
        /// Multistep: DPM-Solver++ 2M (20 steps), 3M with the Heun solver type and lower-order final steps
        /// (12 steps), SDE-DPM-Solver++ 2M with Karras σ (30 steps).
        case dpmSolver20, dpmSolver3Heun12, sdeDPMSolverKarras30
        var description: String { rawValue }

        func make() throws -> any Scheduler {
            var scheduler: any Scheduler
            var dpmSolver = DPMSolverMultistepScheduler.Configuration()
            switch self {
            case .ddpm30: scheduler = try DDPMScheduler()
            case .ddim20: scheduler = try DDIMScheduler()
            case .ddim20EtaOne: scheduler = try DDIMScheduler(options: StepOptions(eta: 1))
            case .dpmSolver20: scheduler = try DPMSolverMultistepScheduler(configuration: dpmSolver)
            case .dpmSolver3Heun12:
                dpmSolver.solverOrder = 3
                dpmSolver.solverType = .heun
                scheduler = try DPMSolverMultistepScheduler(configuration: dpmSolver)
            case .sdeDPMSolverKarras30:
                dpmSolver.algorithm = .sdeDPMSolverPlusPlus
                dpmSolver.useKarrasSigmas = true
                scheduler = try DPMSolverMultistepScheduler(configuration: dpmSolver)
            }
            try scheduler.setTimesteps(stepCount)
            return scheduler
        }

        private var stepCount: Int {
            switch self {
            case .ddpm30: 30
            case .dpmSolver3Heun12: 12
            case .sdeDPMSolverKarras30: 30
            default: 20
            }
        }
    }

    private func sequential(_ schedulerCase: SchedulerCase, run: SeededRun) throws -> SamplingResult {
        try run.sample(SequentialSampler(keepsTrajectory: true), scheduler: schedulerCase.make(),
                       denoiser: ElementwiseDenoiser(imagesPerGroup: 2))
    }

    @Test(arguments: SchedulerCase.allCases)
    func windowOfOneReproducesSequentialSamplerExactly(schedulerCase: SchedulerCase) throws {
        let run = SeededRun(seed: 7, shape: Self.shape)
        let expected = try sequential(schedulerCase, run: run)
        let denoiser = ElementwiseDenoiser(imagesPerGroup: 2)
        let result = try run.sample(ParaDiGMSSampler(parallel: 1, tolerance: 0.1), scheduler: schedulerCase.make(),
                                    denoiser: denoiser)
        #expect(result.latents.scalars == expected.latents.scalars)
        #expect(result.statistics.parallelIterations == expected.statistics.parallelIterations)
        #expect(result.statistics.modelEvaluations == expected.statistics.modelEvaluations)
        #expect(denoiser.batchSizes.allSatisfy { $0 == 2 })
    }

    /// A window whose points stopped moving repeats the sequential steps bit for bit (see `PicardUpdate`), so with
    /// a denoiser that treats each latent alone, tolerance 0 gives the sequential trajectory exactly.
    @Test(arguments: SchedulerCase.allCases, [2, 5, 16, 64])
    func zeroToleranceReproducesSequentialTrajectoryForAnyWindow(schedulerCase: SchedulerCase, parallel: Int) throws {
        let run = SeededRun(seed: 11, shape: Self.shape)
        let expected = try #require(try sequential(schedulerCase, run: run).trajectory)
        let result = try run.sample(ParaDiGMSSampler(parallel: parallel, tolerance: 0, keepsTrajectory: true),
                                    scheduler: schedulerCase.make(), denoiser: ElementwiseDenoiser(imagesPerGroup: 2))
        let trajectory = try #require(result.trajectory)
        #expect(trajectory.count == expected.count)
        for (point, (computed, sequential)) in zip(trajectory, expected).enumerated() {
            #expect(computed.scalars == sequential.scalars, "point \(point)")
        }
        #expect(result.statistics.parallelIterations <= expected.count - 1, "every iteration advances a step")
    }

    /// Twelve third-order steps are too few and too large for a window of 8 to finish any early at tolerance 0.3.
    @Test(arguments: SchedulerCase.allCases.filter { $0 != .dpmSolver3Heun12 })
    func toleranceBoundsDistanceFromSequential(schedulerCase: SchedulerCase) throws {
        let run = SeededRun(seed: 3, shape: Self.shape)
        let expected = try sequential(schedulerCase, run: run)
        let distances = try [0.3, 0.01].map { tolerance in
            let result = try run.sample(ParaDiGMSSampler(parallel: 8, tolerance: tolerance),
                                        scheduler: schedulerCase.make(),
                                        denoiser: ElementwiseDenoiser(imagesPerGroup: 2))
            #expect(result.statistics.parallelIterations < expected.statistics.parallelIterations)
            return result.latents.maxAbsDifference(expected.latents)
        }
        #expect(distances[1] < distances[0])
    }

    @Test func statisticsCountDenoiserCallsAndLatents() throws {
        let denoiser = ElementwiseDenoiser(imagesPerGroup: 2)
        var reports: [Int] = []
        let result = try SeededRun(seed: 5, shape: Self.shape).sample(
            ParaDiGMSSampler(parallel: 8, tolerance: 0.1), scheduler: SchedulerCase.ddpm30.make(), denoiser: denoiser
        ) { step in
            #expect(step.total == 30 && step.latents.shape == Self.shape)
            reports.append(step.completed)
        }
        #expect(result.statistics.parallelIterations == denoiser.batchSizes.count)
        #expect(result.statistics.modelEvaluations == denoiser.batchSizes.reduce(0, +))
        #expect(denoiser.batchSizes.first == 8 * 2)
        #expect(reports.count == denoiser.batchSizes.count)
        #expect(reports == reports.sorted() && Set(reports).count == reports.count, "progress advances every call")
        #expect(reports.last == 30)
    }

    @Test func windowLargerThanStepCountIsClamped() throws {
        let denoiser = ElementwiseDenoiser(imagesPerGroup: 2)
        let run = SeededRun(seed: 5, shape: Self.shape)
        let clamped = try run.sample(ParaDiGMSSampler(parallel: 500, tolerance: 0.1),
                                     scheduler: SchedulerCase.ddim20.make(), denoiser: denoiser)
        let exact = try run.sample(ParaDiGMSSampler(parallel: 20, tolerance: 0.1),
                                   scheduler: SchedulerCase.ddim20.make(), denoiser: ElementwiseDenoiser(imagesPerGroup: 2))
        #expect(denoiser.batchSizes.max() == 20 * 2)
        #expect(clamped.latents.scalars == exact.latents.scalars)
    }

    @Test func maxIterationsStopsAtTheFurthestPointComputed() throws {
        let denoiser = ElementwiseDenoiser(imagesPerGroup: 2)
        var reports: [Int] = []
        let result = try SeededRun(seed: 5, shape: Self.shape).sample(
            ParaDiGMSSampler(parallel: 4, tolerance: 0, maxIterations: 3, keepsTrajectory: true),
            scheduler: SchedulerCase.ddpm30.make(), denoiser: denoiser
        ) { reports.append($0.completed) }
        #expect(result.statistics.parallelIterations == 3)
        #expect(denoiser.batchSizes.count == 3)
        #expect(try #require(reports.last) < 30)
        let trajectory = try #require(result.trajectory)
        let lastMovedPoint = try #require(trajectory.lastIndex { $0.scalars != result.latents.scalars })
        #expect(lastMovedPoint + 1 <= 3 * 4, "points past the last window hold its last point")
    }

    @Test(arguments: [
        (0, 0.1, nil, "parallel"), (-3, 0.1, nil, "parallel"), (4, -0.5, nil, "tolerance"),
        (4, .nan, nil, "tolerance"), (4, .infinity, nil, "tolerance"), (4, 0.1, 0, "maxIterations"),
    ] as [(Int, Double, Int?, String)])
    func invalidParameterIsRejectedByName(parallel: Int, tolerance: Double, maxIterations: Int?, parameter: String) {
        #expect {
            _ = try ParaDiGMSSampler(parallel: parallel, tolerance: tolerance, maxIterations: maxIterations)
        } throws: { error in
            guard case .invalidParameter(_, let named, _) = error as? SamplerError else { return false }
            return named == parameter && "\(error)".contains("'\(parameter)'")
        }
    }

    @Test func schedulerWithoutBatchedStepIsRejectedByName() throws {
        var scheduler: any Scheduler = SequentialOnlyScheduler()
        #expect {
            _ = try ParaDiGMSSampler(parallel: 4).sample(
                Tensor(zeros: Self.shape), scheduler: &scheduler, denoiser: ElementwiseDenoiser(imagesPerGroup: 2),
                noise: { Tensor(zeros: $0) }, progress: { _ in })
        } throws: { error in
            error as? SamplerError == .schedulerNotParallel(sampler: "ParaDiGMS", scheduler: "SequentialOnlyScheduler")
                && "\(error)".contains("SequentialOnlyScheduler")
        }
    }

    @Test func latentsBatchMustMatchDenoiserImages() throws {
        #expect(throws: SamplerError.batchMismatch(sampler: "ParaDiGMS", latents: 2, imagesPerGroup: 3)) {
            _ = try SeededRun(seed: 1, shape: Self.shape).sample(
                ParaDiGMSSampler(parallel: 4), scheduler: SchedulerCase.ddim20.make(),
                denoiser: ElementwiseDenoiser(imagesPerGroup: 3))
        }
    }
}

/// A scheduler with only the sequential `step` (like a multistep solver).
private struct SequentialOnlyScheduler: Scheduler {
    var timesteps = [10, 0]
    var initNoiseSigma: Float { 1 }
    mutating func setTimesteps(_ count: Int) throws {}
    func scaleModelInput(_ sample: Tensor, timestep: Int) -> Tensor { sample }
    mutating func step(modelOutput: Tensor, timestep: Int, sample: Tensor, noise: NoiseSource) throws -> Tensor { sample }
    func addNoise(original: Tensor, noise: Tensor, timesteps: [Int]) throws -> Tensor { original }
}
