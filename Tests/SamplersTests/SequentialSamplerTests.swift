import ParadiffuseSamplers
import ParadiffuseSchedulers
import ParadiffuseTensors
import Testing

/// A stand-in network: predicts `x · t / (t + 1)` (the dummy model of diffusers' scheduler tests) and counts calls.
final class ScaledSampleDenoiser: Denoiser {
    let imagesPerGroup: Int
    private(set) var batches: [Int] = []

    init(imagesPerGroup: Int) { self.imagesPerGroup = imagesPerGroup }

    func denoise(_ latents: Tensor, timesteps: [Float]) throws -> Tensor {
        batches.append(latents.batchSize)
        return latents.scaledPerItem(timesteps.map { $0 / ($0 + 1) })
    }
}

struct SequentialSamplerTests {
    @Test func stepsEveryTimestepOnceAndKeepsTheTrajectory() throws {
        var scheduler: any Scheduler = try DDIMScheduler()
        try scheduler.setTimesteps(10)
        let denoiser = ScaledSampleDenoiser(imagesPerGroup: 2)
        var generator = TorchGenerator(seed: 0)
        let initial = generator.randn([2, 3, 4, 4])
        var progress: [SamplingProgress] = []
        let result = try SequentialSampler(keepsTrajectory: true).sample(
            initial, scheduler: &scheduler, denoiser: denoiser, noise: { generator.randn($0) },
            progress: { progress.append($0) })

        #expect(denoiser.batches == Array(repeating: 2, count: 10))
        #expect(progress.map(\.completed) == Array(1...10))
        // Each report carries the latents after its step: the trajectory's next point.
        #expect(zip(progress, result.trajectory?.dropFirst() ?? []).allSatisfy { $0.latents.scalars == $1.scalars })
        #expect(result.statistics.parallelIterations == 10)
        #expect(result.statistics.modelEvaluations == 20)
        #expect(result.trajectory?.count == 11)
        #expect(result.trajectory?.first?.scalars == initial.scalars)
        #expect(result.trajectory?.last?.scalars == result.latents.scalars)
    }

    @Test func matchesSteppingTheSchedulerByHand() throws {
        var scheduler: any Scheduler = try DDPMScheduler()
        try scheduler.setTimesteps(20)
        var reference = scheduler
        let denoiser = ScaledSampleDenoiser(imagesPerGroup: 1)
        var generator = TorchGenerator(seed: 5)
        var referenceGenerator = generator
        let initial = generator.randn([1, 2, 3, 3])
        var expected = referenceGenerator.randn([1, 2, 3, 3])
        for timestep in reference.timesteps {
            let output = expected.scaledPerItem([Float(timestep) / Float(timestep + 1)])
            expected = try reference.step(modelOutput: output, timestep: timestep, sample: expected) { referenceGenerator.randn($0) }
        }
        let result = try SequentialSampler().sample(initial, scheduler: &scheduler, denoiser: denoiser,
                                                    noise: { generator.randn($0) }, progress: { _ in })
        #expect(result.latents.scalars == expected.scalars)
    }
}
