import Foundation
import ParadiffuseLoading
import ParadiffuseSchedulers
import ParadiffuseTensors
import Testing

/// diffusers' PNDMScheduler: pseudo Runge–Kutta warm-up and PLMS steps, and Stable Diffusion's `skip_prk_steps`.
struct PNDMSchedulerTests {
    static let cases = MultistepSchedulerFixture.cases(prefix: "pndm_")

    @Test func fixtureCasesExist() {
        #expect(Self.cases.count == 5, "\(Self.cases)")
    }

    @Test(arguments: cases)
    func timestepsEqualDiffusers(name: String) throws {
        let fixture = try MultistepSchedulerFixture(name)
        let scheduler = try fixture.makeScheduler()
        #expect(scheduler is PNDMScheduler)
        #expect(scheduler.timesteps == fixture.timesteps)
        #expect((scheduler as? PNDMScheduler)?.noiseSchedule.alphasCumprod == fixture.alphasCumprod)
    }

    /// Each step from diffusers' own input sample, keeping the history of the steps before, within 1e-6.
    @Test(arguments: cases)
    func everyStepMatchesDiffusers(name: String) throws {
        let fixture = try MultistepSchedulerFixture(name)
        var scheduler = try fixture.makeScheduler()
        for step in try fixture.stepErrors(&scheduler) {
            #expect(step.drewAsDiffusers, "PNDM drew noise at t=\(step.timestep)")
            #expect(step.error <= 1e-6, "step at t=\(step.timestep): relative error \(step.error)")
        }
    }

    /// The whole run from x_T on its own outputs, within 1e-5.
    @Test(arguments: cases)
    func trajectoryMatchesDiffusers(name: String) throws {
        let fixture = try MultistepSchedulerFixture(name)
        var scheduler = try fixture.makeScheduler()
        var sample = fixture.samples[0]
        for (index, timestep) in fixture.timesteps.enumerated() {
            sample = try scheduler.step(modelOutput: fixture.modelOutput(sample, timestep: timestep),
                                        timestep: timestep, sample: sample) { Tensor(zeros: $0) }
            let error = relativeError(sample, fixture.samples[index + 1])
            #expect(error <= 1e-5, "after step \(index + 1) (t=\(timestep)): relative error \(error)")
        }
    }

    /// `setTimesteps` starts a new run: the history of the previous one is forgotten.
    @Test func settingTimestepsAgainRestartsTheRun() throws {
        let fixture = try MultistepSchedulerFixture("pndm_stable_diffusion")
        var scheduler = try fixture.makeScheduler()
        _ = try fixture.stepErrors(&scheduler)
        try scheduler.setTimesteps(fixture.stepCount)
        for step in try fixture.stepErrors(&scheduler) {
            #expect(step.error <= 1e-6, "second run, step at t=\(step.timestep): relative error \(step.error)")
        }
    }

    @Test func stableDiffusionConfigBuildsPNDMByClassAndByName() throws {
        let config = try SchedulerConfigurationTests.config(["_class_name": "PNDMScheduler", "skip_prk_steps": true])
        #expect(try makeScheduler(config: config) is PNDMScheduler)
        #expect(try SchedulerKind(named: "pndm") == .pndm)
        #expect(try SchedulerKind(named: "PNDMScheduler") == .pndm)
        #expect(try SchedulerKind.pndm.makeScheduler() is PNDMScheduler)
    }

    @Test(arguments: [("prediction_type", "sample" as any Sendable), ("prediction_type", "flow"),
                      ("timestep_spacing", "karras"), ("beta_schedule", "sigmoid")])
    func unsupportedChoicesAreRejectedNamingTheKey(key: String, value: any Sendable) throws {
        let config = try SchedulerConfigurationTests.config(["_class_name": "PNDMScheduler", key: value])
        let error = try #require(throws: LoadingError.self) { try makeScheduler(config: config) }
        #expect(error.description.contains(key), "\(error)")
        #expect(error.description.contains("PNDMScheduler"), "\(error)")
    }

    @Test func stepBeforeSetTimestepsIsRejected() throws {
        var scheduler = try PNDMScheduler()
        let sample = Tensor(zeros: [1, 3, 4, 4])
        #expect(throws: SchedulerError.timestepsNotSet(scheduler: "PNDMScheduler")) {
            try scheduler.step(modelOutput: sample, timestep: 999, sample: sample) { Tensor(zeros: $0) }
        }
    }

    @Test func modelOutputOfAnotherShapeIsRejected() throws {
        var scheduler = try PNDMScheduler()
        try scheduler.setTimesteps(10)
        #expect(throws: SchedulerError.self) {
            try scheduler.step(modelOutput: Tensor(zeros: [1, 3, 4, 2]), timestep: 900,
                               sample: Tensor(zeros: [1, 3, 4, 4])) { Tensor(zeros: $0) }
        }
    }
}
