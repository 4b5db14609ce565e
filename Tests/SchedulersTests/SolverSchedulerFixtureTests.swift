import Foundation
import ParadiffuseLoading
import ParadiffuseSchedulers
import ParadiffuseTensors
import Testing

/// diffusers' UniPCMultistepScheduler, DEISMultistepScheduler, DPMSolverSinglestepScheduler and LCMScheduler on
/// the runs of Tools/fixtures/make_multistep2_scheduler_fixtures.py, and the steps of DPMSolverMultistepScheduler's
/// runs (Tools/fixtures/make_multistep_scheduler_fixtures.py; its schedules are checked by
/// `DPMSolverMultistepSchedulerTests`).
struct SolverSchedulerFixtureTests {
    static let prefixes = ["unipc_", "deis_", "single_", "lcm_"]
    static let cases = prefixes.flatMap { MultistepSchedulerFixture.cases(prefix: $0) }
    static let steppedCases = DPMSolverMultistepSchedulerTests.cases + cases

    @Test(arguments: zip(prefixes, [11, 7, 11, 7]))
    func fixtureCasesExist(prefix: String, count: Int) {
        #expect(MultistepSchedulerFixture.cases(prefix: prefix).count == count)
    }

    /// Timesteps exactly; σ within one float32 rounding (PyTorch's vectorized `sqrt` is not correctly rounded).
    @Test(arguments: cases)
    func timestepsAndSigmasEqualDiffusers(name: String) throws {
        let fixture = try MultistepSchedulerFixture(name)
        let scheduler = try fixture.makeScheduler()
        #expect(scheduler.timesteps == fixture.timesteps)
        let sigmas = (scheduler as? any SolverScheduler)?.sigmas
        #expect((sigmas == nil) == (fixture.sigmas == nil))
        if let sigmas, let expected = fixture.sigmas {
            #expect(sigmas.count == expected.count)
            let difference = zip(sigmas, expected).map { $0 == $1 ? 0 : abs($0 - $1) / abs($1) }.max() ?? 0
            #expect(difference <= (name.contains("zero_snr") ? 1e-5 : Float.ulpOfOne), "\(sigmas) vs \(expected)")
        }
    }

    /// Each step from diffusers' own input sample, keeping the history of the steps before and taking the noise
    /// diffusers drew (where and in the shape it drew), within 1e-6.
    @Test(arguments: steppedCases)
    func everyStepMatchesDiffusers(name: String) throws {
        let fixture = try MultistepSchedulerFixture(name)
        var scheduler = try fixture.makeScheduler()
        for step in try fixture.stepErrors(&scheduler) {
            #expect(step.drewAsDiffusers, "draws at t=\(step.timestep)")
            #expect(step.error <= 1e-6, "step at t=\(step.timestep): relative error \(step.error)")
        }
    }

    /// The whole run from x_T on its own outputs, noise from a `TorchGenerator` seeded as diffusers' generator,
    /// within 1e-5.
    @Test(arguments: steppedCases)
    func trajectoryWithSeededNoiseMatchesDiffusers(name: String) throws {
        let fixture = try MultistepSchedulerFixture(name)
        var scheduler = try fixture.makeScheduler()
        var generator = TorchGenerator(seed: fixture.seed)
        var sample = fixture.samples[0] * scheduler.initNoiseSigma
        for (index, timestep) in fixture.timesteps.enumerated() {
            let input = scheduler.scaleModelInput(sample, timestep: timestep)
            sample = try scheduler.step(modelOutput: fixture.modelOutput(input, timestep: timestep),
                                        timestep: timestep, sample: sample) { generator.randn($0) }
            let error = relativeError(sample, fixture.samples[index + 1])
            #expect(error <= 1e-5, "after step \(index + 1) (t=\(timestep)): relative error \(error)")
        }
    }

    /// `init_noise_sigma`, `scale_model_input` at the first timestep, and `add_noise` at the first and the middle
    /// timestep of the run (one per item).
    @Test(arguments: cases)
    func inputScalingAndAddNoiseMatchDiffusers(name: String) throws {
        let fixture = try MultistepSchedulerFixture(name)
        let scheduler = try fixture.makeScheduler()
        let file = try SafetensorsFile(url: MultistepSchedulerFixture.directory.appendingPathComponent("\(name).safetensors"))
        #expect(scheduler.initNoiseSigma == Float(file.metadata["init_noise_sigma"] ?? ""))
        let scaled = scheduler.scaleModelInput(fixture.samples[0], timestep: fixture.timesteps[0])
        #expect(relativeError(scaled, try file.tensor(named: "scaled_input")) == 0)
        let timesteps = try #require(file.metadata["add_noise_timesteps"]).split(separator: ",").compactMap { Int($0) }
        let noised = try scheduler.addNoise(original: fixture.fixedOutput, noise: fixture.samples[0],
                                            timesteps: timesteps)
        #expect(relativeError(noised, try file.tensor(named: "add_noise")) <= 1e-6)
    }

    /// `setTimesteps` starts a new run: the history (UniPC's corrector, singlestep groups) is forgotten.
    @Test(arguments: ["unipc_3_disable_corrector", "deis_3_stable_diffusion", "single_3_heun_karras_v", "lcm_8_v"])
    func settingTimestepsAgainRestartsTheRun(name: String) throws {
        let fixture = try MultistepSchedulerFixture(name)
        var scheduler = try fixture.makeScheduler()
        _ = try fixture.stepErrors(&scheduler)
        try scheduler.setTimesteps(fixture.stepCount)
        for step in try fixture.stepErrors(&scheduler) {
            #expect(step.error <= 1e-6, "second run, step at t=\(step.timestep): relative error \(step.error)")
        }
    }
}
