import Foundation
import ParadiffuseLoading
import ParadiffuseSchedulers
import ParadiffuseTensors
import Testing

/// What only diffusers' EulerDiscreteScheduler has: per-item `add_noise`, the parallel transition and its noise
/// scale, churn, and its own options (the fixture runs, with every spacing, Karras / exponential / log-linear σ,
/// σ_min/σ_max, zero SNR, continuous timesteps, the final σ, every prediction type and seeded churn, are checked
/// by `SigmaSchedulerTests`).
struct EulerDiscreteSchedulerTests {
    /// One key per batch item, each at its own σ.
    @Test func addNoisePerItemEqualsDiffusers() throws {
        let file = try #require(SigmaScheduleLists.addNoise)
        let keys = (file.metadata["per_item_keys"] ?? "").split(separator: ",").compactMap { Int($0) }
        var scheduler = try SigmaScheduleLists.scheduler(.euler, ["use_karras_sigmas": .bool(true)])
        try scheduler.setTimesteps(try #require(Int(file.metadata["num_inference_steps"] ?? "")))
        let noisy = try scheduler.addNoise(original: file.tensor(named: "original"), noise: file.tensor(named: "noise"),
                                           timesteps: keys)
        #expect(relativeError(noisy, try file.tensor(named: "euler_per_item")) <= 1e-6)
    }

    /// Without churn, `step` is `transitionWithoutNoise` bit for bit, also for a batch whose items sit at
    /// different keys.
    @Test func batchedTransitionEqualsStepAtEachKey() throws {
        let fixture = try SigmaSchedulerFixture("euler_sd_v_karras")
        let scheduler = try #require(try fixture.makeScheduler() as? EulerDiscreteScheduler)
        #expect(scheduler.isODE)
        let keys = [0, 7, 19]
        let samples = keys.map { fixture.samples[$0] }
        let outputs = keys.map { fixture.modelOutput(fixture.scaled[$0], timestep: fixture.timesteps[$0]) }
        let batched = try scheduler.transitionWithoutNoise(
            modelOutput: Tensor.concatenatingBatches(outputs), sample: Tensor.concatenatingBatches(samples),
            timesteps: keys.flatMap { Array(repeating: $0, count: samples[0].batchSize) })
        for (position, key) in keys.enumerated() {
            var stepping = scheduler
            let stepped = try stepping.step(modelOutput: outputs[position], timestep: key, sample: samples[position]) {
                Tensor(zeros: $0)
            }
            let images = samples[0].batchSize
            #expect(batched.batchItems(position * images..<(position + 1) * images).scalars == stepped.scalars)
            #expect(!scheduler.drawsNoise(at: key))
            #expect(try scheduler.noiseScale(at: key) == 0)
        }
    }

    /// The DDPM posterior standard deviation in σ units, √(σ_next²(σ² − σ_next²)/σ²): between 0 and σ_next, and 0
    /// for the last step to σ = 0.
    @Test func posteriorStandardDeviationIsTheAncestralNoiseOfTheStep() throws {
        var scheduler = try SigmaScheduleLists.scheduler(.euler) as! EulerDiscreteScheduler
        try scheduler.setTimesteps(20)
        for key in scheduler.timesteps {
            let sigma = scheduler.sigmas[key], next = scheduler.sigmas[key + 1]
            let deviation = try scheduler.posteriorStandardDeviation(at: key)
            let expected = (Double(next * next) * Double(sigma * sigma - next * next) / Double(sigma * sigma))
                .squareRoot()
            #expect(abs(Double(deviation) - expected) <= 1e-6 * max(expected, 1e-3), "key \(key)")
            #expect(deviation <= next)
        }
        #expect(try scheduler.posteriorStandardDeviation(at: 19) == 0)
    }

    @Test func churnIsNotParallel() throws {
        let fixture = try SigmaSchedulerFixture("euler_churn")
        let scheduler = try #require(try fixture.makeScheduler() as? EulerDiscreteScheduler)
        #expect(!scheduler.isODE)
        #expect(throws: SchedulerError.self) {
            _ = try scheduler.transitionWithoutNoise(modelOutput: fixture.samples[0], sample: fixture.samples[0],
                                                     timesteps: [3])
        }
    }

    /// The options of Euler's own keys this engine lacks (the shared ones are in `SigmaSchedulerTests`).
    @Test func unsupportedOptionsAreRejectedByName() {
        #expect(SigmaScheduleLists.isRejected(.euler, ["use_beta_sigmas": .bool(true), "use_karras_sigmas": .bool(true)],
                                              mentioning: ["use_beta_sigmas"]))
        #expect(SigmaScheduleLists.isRejected(.euler, ["interpolation_type": .string("cubic")],
                                              mentioning: ["interpolation_type", "log_linear"]))
        #expect(SigmaScheduleLists.isRejected(.euler, ["final_sigmas_type": .string("one")],
                                              mentioning: ["final_sigmas_type", "sigma_min"]))
    }

    @Test func keysOutsideTheScheduleAreRejected() throws {
        var scheduler = try SigmaScheduleLists.scheduler(.euler)
        try scheduler.setTimesteps(10)
        let sample = Tensor(zeros: [1, 2, 2, 2])
        #expect(throws: SchedulerError.timestepNotInSchedule(scheduler: EulerDiscreteScheduler.className,
                                                             timestep: 10)) {
            _ = try scheduler.step(modelOutput: sample, timestep: 10, sample: sample) { Tensor(zeros: $0) }
        }
    }
}
