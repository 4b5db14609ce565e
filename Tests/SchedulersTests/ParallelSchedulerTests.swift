import ParadiffuseSchedulers
import ParadiffuseTensors
import Testing

/// The parallel-sampling API: a whole run evaluated as one batch of (sample, timestep) pairs must reproduce the
/// sequential `step` once each step's noise is added.
struct ParallelSchedulerTests {
    @Test(arguments: SchedulerFixture.allCases)
    func batchedTransitionPlusScaledNoiseEqualsSequentialStep(name: String) throws {
        let fixture = try SchedulerFixture(name)
        let scheduler = try fixture.makeScheduler()
        let itemsPerStep = fixture.samples[0].batchSize
        let window = Array(fixture.samples.dropLast())
        let outputs = zip(window, fixture.timesteps).map { fixture.modelOutput($0, timestep: $1) }
        let means = try scheduler.transitionWithoutNoise(
            modelOutput: Tensor.concatenatingBatches(outputs), sample: Tensor.concatenatingBatches(window),
            timesteps: fixture.timesteps.flatMap { Array(repeating: $0, count: itemsPerStep) })

        let hasLearnedVariance = fixture.varianceOutput != nil
        for (index, timestep) in fixture.timesteps.enumerated() {
            let mean = means.batchItems(index * itemsPerStep..<(index + 1) * itemsPerStep)
            #expect(scheduler.drawsNoise(at: timestep) == fixture.draws[index], "draws at t=\(timestep)")
            var sequential = scheduler
            if hasLearnedVariance {
                if scheduler.drawsNoise(at: timestep) {
                    #expect(throws: SchedulerError.self) { try scheduler.noiseScale(at: timestep) }
                }
                let withoutNoise = try sequential.step(modelOutput: outputs[index], timestep: timestep,
                                                       sample: window[index]) { Tensor(zeros: $0) }
                #expect(mean.scalars == withoutNoise.scalars, "t=\(timestep)")
                continue
            }
            let scale = try scheduler.noiseScale(at: timestep)
            let stepped = try sequential.step(modelOutput: outputs[index], timestep: timestep,
                                              sample: window[index]) { _ in fixture.noise[index] }
            let batched = mean.zipMap(fixture.noise[index]) { mean, z in mean + scale * z }
            #expect(batched.scalars == stepped.scalars, "t=\(timestep): batched differs from step")
            let error = relativeError(batched, fixture.samples[index + 1])
            #expect(error <= 1e-6, "t=\(timestep): relative error \(error) against diffusers")
        }
    }

    @Test(arguments: SchedulerFixture.allCases)
    func onlyDeterministicDDIMIsAnODE(name: String) throws {
        let fixture = try SchedulerFixture(name)
        let scheduler = try fixture.makeScheduler()
        let isDeterministicDDIM = scheduler is DDIMScheduler && fixture.options.eta == 0
        #expect(scheduler.isODE == isDeterministicDDIM)
        if scheduler.isODE {
            for timestep in scheduler.timesteps {
                #expect(!scheduler.drawsNoise(at: timestep))
                #expect(try scheduler.noiseScale(at: timestep) == 0)
            }
        }
    }

    /// test_variance of test_scheduler_ddpm_parallel.py: `_get_variance(t)` with the full training schedule.
    @Test func ddpmPosteriorVarianceMatchesDiffusersUnitTest() throws {
        let scheduler = try DDPMScheduler()
        for (timestep, variance) in [(0, 0.0), (487, 0.00979), (999, 0.02)] {
            let standardDeviation = Double(try scheduler.posteriorStandardDeviation(at: timestep))
            #expect(abs(standardDeviation * standardDeviation - variance) < 1e-5, "t=\(timestep)")
        }
    }

    /// test_variance of test_scheduler_ddim_parallel.py: `_get_variance(t, prev)`, the previous timestep set by
    /// the stride T / n of 50 and 1000 inference steps.
    @Test(arguments: [(50, 420, 0.14771), (50, 980, 0.32460), (1000, 0, 0.0), (1000, 487, 0.00979),
                      (1000, 999, 0.02)])
    func ddimPosteriorVarianceMatchesDiffusersUnitTest(steps: Int, timestep: Int, variance: Double) throws {
        var scheduler = try DDIMScheduler(options: StepOptions(eta: 0))
        try scheduler.setTimesteps(steps)
        let standardDeviation = Double(try scheduler.posteriorStandardDeviation(at: timestep))
        #expect(abs(standardDeviation * standardDeviation - variance) < 1e-5)
        #expect(try scheduler.noiseScale(at: timestep) == 0)
    }

    @Test func ddpmNoiseScaleIsThePosteriorStandardDeviation() throws {
        var scheduler = try DDPMScheduler()
        try scheduler.setTimesteps(10)
        let alphas = scheduler.noiseSchedule.alphasCumprod
        // t = 900, previous 800: β̃ = (1 − ᾱ_800)/(1 − ᾱ_900) · (1 − ᾱ_900/ᾱ_800).
        let posterior = (1 - Double(alphas[800])) / (1 - Double(alphas[900])) * (1 - Double(alphas[900] / alphas[800]))
        #expect(abs(Double(try scheduler.noiseScale(at: 900)) - posterior.squareRoot()) < 1e-6)
        #expect(try scheduler.noiseScale(at: 0) == 0)
        #expect(!scheduler.drawsNoise(at: 0))
    }

    @Test func ddimNoiseScaleIsEtaTimesSigma() throws {
        var configuration = DDIMScheduler.Configuration()
        configuration.setAlphaToOne = false
        var scheduler = try DDIMScheduler(configuration: configuration, options: StepOptions(eta: 0.5))
        try scheduler.setTimesteps(10)
        let alphas = scheduler.noiseSchedule.alphasCumprod
        // The last step (t = 0) goes to ᾱ_0 itself when set_alpha_to_one is false, so σ is 0 there.
        let variance = (1 - Double(alphas[0])) / (1 - Double(alphas[100])) * (1 - Double(alphas[100] / alphas[0]))
        #expect(abs(Double(try scheduler.noiseScale(at: 100)) - 0.5 * variance.squareRoot()) < 1e-6)
        #expect(try scheduler.noiseScale(at: 0) == 0)
        #expect(scheduler.drawsNoise(at: 0))
    }
}
