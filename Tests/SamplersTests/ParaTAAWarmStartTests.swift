import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors
import Testing

/// Warm starts as parallel_sd_winit.py runs them: from a whole stored trajectory, refining every step or only the
/// last `variationSteps`.
struct ParaTAAWarmStartTests {
    static let shape = [2, 3, 4, 4]

    private func sequentialTrajectory(_ run: SeededRun, scheduler: any Scheduler,
                                      denoiser: Denoiser) throws -> [Tensor] {
        try #require(try run.sample(SequentialSampler(keepsTrajectory: true), scheduler: scheduler,
                                    denoiser: denoiser).trajectory)
    }

    @Test(arguments: [nil, 5])
    func startingFromTheSequentialTrajectoryConvergesInOneIteration(variationSteps: Int?) throws {
        let run = SeededRun(seed: 21, shape: Self.shape)
        let scheduler = try ParaTAASchedulers.ddim(steps: 12, eta: 1)
        let stored = try sequentialTrajectory(run, scheduler: scheduler, denoiser: ParaTAAToyDenoiser(imagesPerGroup: 2))
        let denoiser = ParaTAAToyDenoiser(imagesPerGroup: 2)
        let sampler = try ParaTAASampler(window: 12, order: 3, memory: 3, initialTrajectory: stored,
                                         variationSteps: variationSteps)
        let result = try run.sample(sampler, scheduler: scheduler, denoiser: denoiser)
        #expect(result.statistics.parallelIterations == 1)
        #expect(denoiser.batchSizes == [(variationSteps ?? 12) * 2])
        #expect(result.latents.scalars == stored.last?.scalars)
    }

    /// The first steps stay as stored (their entries, x_T included, are not recomputed); the last ones are solved
    /// again from there with this run's denoiser, as a sequential run from the stored entry would do.
    @Test func onlyTheLastVariationStepsAreRecomputed() throws {
        let run = SeededRun(seed: 22, shape: Self.shape)
        let otherRun = SeededRun(seed: 23, shape: Self.shape)
        let scheduler = try ParaTAASchedulers.ddim(steps: 12)
        let stored = try sequentialTrajectory(otherRun, scheduler: scheduler,
                                              denoiser: ParaTAAToyDenoiser(imagesPerGroup: 2))
        let variationSteps = 4, keptEntries = 12 - variationSteps + 1
        let denoiser = ReversedImagesDenoiser(imagesPerGroup: 2)
        let sampler = try ParaTAASampler(window: 12, order: 2, memory: 3, absoluteTolerance: 0, noiseTolerance: 0,
                                         initialTrajectory: stored, variationSteps: variationSteps, keepsTrajectory: true)
        let result = try run.sample(sampler, scheduler: scheduler, denoiser: denoiser)
        let trajectory = try #require(result.trajectory)

        for entry in 0..<keptEntries {
            #expect(trajectory[entry].scalars == stored[entry].scalars, "entry \(entry) is kept")
        }
        var expected = stored[keptEntries - 1]
        let reference = ReversedImagesDenoiser(imagesPerGroup: 2)
        for step in keptEntries - 1..<12 {
            let timestep = scheduler.timesteps[step]
            var stepper = scheduler
            expected = try stepper.step(modelOutput: reference.denoise(expected, timesteps: [Float(timestep), Float(timestep)]),
                                        timestep: timestep, sample: expected) { _ in Tensor(zeros: Self.shape) }
        }
        #expect(result.latents.maxAbsDifference(expected) <= 1e-5)
        #expect(result.statistics.parallelIterations <= variationSteps)
        #expect(denoiser.batchSizes.allSatisfy { $0 <= variationSteps * 2 })
    }
}

/// The toy denoiser with the images of each group swapped: a different "prompt" for the same trajectory.
private final class ReversedImagesDenoiser: Denoiser {
    let imagesPerGroup: Int
    private let toy: ParaTAAToyDenoiser
    private(set) var batchSizes: [Int] = []

    init(imagesPerGroup: Int) {
        self.imagesPerGroup = imagesPerGroup
        toy = ParaTAAToyDenoiser(imagesPerGroup: imagesPerGroup)
    }

    func denoise(_ latents: Tensor, timesteps: [Float]) throws -> Tensor {
        batchSizes.append(latents.batchSize)
        let output = try toy.denoise(latents, timesteps: timesteps)
        let groups = (0..<latents.batchSize / imagesPerGroup).map { group in
            (0..<imagesPerGroup).reversed().map { output.batchItem(group * imagesPerGroup + $0) }
        }
        return Tensor.concatenatingBatches(groups.flatMap { $0 })
    }
}
