import ParadiffuseSchedulers
import ParadiffuseTensors
import Testing

/// DPM-Solver's batched transitions for parallel samplers: windows of a run, each looking back on the steps before
/// it, plus each step's scaled noise must give diffusers' sequential steps.
struct DPMSolverParallelTransitionTests {
    static let cases = MultistepSchedulerFixture.cases(prefix: "dpm_")

    @Test(arguments: cases, [1, 4, 64])
    func windowsOfTransitionsPlusNoiseEqualTheSequentialSteps(name: String, window: Int) throws {
        let fixture = try MultistepSchedulerFixture(name)
        let scheduler = try #require(try fixture.makeScheduler() as? DPMSolverMultistepScheduler)
        guard Set(scheduler.timesteps).count == scheduler.timesteps.count else {
            #expect(throws: SchedulerError.self) { try scheduler.posteriorStandardDeviation(at: scheduler.timesteps[0]) }
            return
        }
        let outputs = zip(fixture.samples, fixture.timesteps).map { fixture.modelOutput($0, timestep: $1) }
        var sequential: any Scheduler = scheduler
        for begin in stride(from: 0, to: fixture.timesteps.count, by: window) {
            let steps = begin..<min(begin + window, fixture.timesteps.count)
            let lookedBack = max(begin - scheduler.lookback, 0)..<begin
            let earlier = lookedBack.map { EvaluatedStep(sample: fixture.samples[$0], modelOutput: outputs[$0]) }
            let transitions = try scheduler.transitionsWithoutNoise(
                steps: steps, samples: Array(fixture.samples[steps]), modelOutputs: Array(outputs[steps]),
                earlier: earlier)
            for (index, transition) in zip(steps, transitions) {
                let timestep = fixture.timesteps[index]
                #expect(scheduler.drawsNoise(at: timestep) == fixture.draws[index])
                let scale = try scheduler.noiseScale(at: timestep)
                let noise = fixture.noise?[index] ?? Tensor(zeros: transition.shape)
                let parallel = transition.zipMap(noise) { mean, z in mean + scale * z }
                let stepped = try sequential.step(modelOutput: outputs[index], timestep: timestep,
                                                  sample: fixture.samples[index]) { _ in noise }
                #expect(parallel.scalars == stepped.scalars, "step \(index): batched differs from step")
                let error = relativeError(parallel, fixture.samples[index + 1])
                #expect(error <= 1e-6, "step \(index): relative error \(error) against diffusers")
            }
        }
    }

    @Test func singleTransitionsExistOnlyForFirstOrderSteps() throws {
        var scheduler = try DPMSolverMultistepScheduler()
        try scheduler.setTimesteps(20)
        let sample = Tensor(shape: [1, 1, 2, 2], scalars: [0.5, -1, 2, 0])
        let output = Tensor(shape: [1, 1, 2, 2], scalars: [0.1, 0.2, -0.3, 0.4])
        let first = try scheduler.transitionWithoutNoise(modelOutput: output, sample: sample,
                                                         timesteps: [scheduler.timesteps[0]])
        var sequential = scheduler
        let stepped = try sequential.step(modelOutput: output, timestep: scheduler.timesteps[0], sample: sample) {
            Tensor(zeros: $0)
        }
        #expect(first.scalars == stepped.scalars)
        #expect {
            try scheduler.transitionWithoutNoise(modelOutput: output, sample: sample, timesteps: [scheduler.timesteps[1]])
        } throws: { error in
            "\(error)".contains("transitionsWithoutNoise") && "\(error)".contains("'timestep'")
        }
    }

    @Test func posteriorDeviationIsDDPMsBetweenConsecutiveTimesteps() throws {
        var scheduler = try DPMSolverMultistepScheduler()
        try scheduler.setTimesteps(10)
        let timesteps = scheduler.timesteps
        for (timestep, previous) in zip(timesteps, timesteps.dropFirst()) {
            let alphaProduct = Double(scheduler.alphasCumprod[timestep])
            let previousAlphaProduct = Double(scheduler.alphasCumprod[previous])
            let expected = ((1 - previousAlphaProduct) / (1 - alphaProduct) * (1 - alphaProduct / previousAlphaProduct))
                .squareRoot()
            let deviation = Double(try scheduler.posteriorStandardDeviation(at: timestep))
            #expect(abs(deviation - expected) <= 1e-5 * expected, "t=\(timestep): \(deviation), expected \(expected)")
        }
        #expect(try scheduler.posteriorStandardDeviation(at: timesteps[timesteps.count - 1]) == 0, "final σ is 0")
    }
}
