import ParadiffuseLoading
import ParadiffuseSchedulers
import ParadiffuseTensors
import Testing

/// diffusers' own tests of DDPMParallelScheduler and DDIMParallelScheduler (tests/schedulers/
/// test_scheduler_ddpm_parallel.py and test_scheduler_ddim_parallel.py), run against this engine: the same inputs,
/// the sums and means those tests assert, and the output tensors that Tools/fixtures/make_scheduler_fixtures.py
/// saved from diffusers. Then the batched transitions where diffusers' parallel schedulers are wrong, checked
/// against diffusers' sequential `step`.
struct DiffusersParallelSchedulerTests {
    static let fixture = Result { try SafetensorsFile(url: SchedulerFixture.url("diffusers_unit_tests.safetensors")) }

    static func expected(_ name: String) throws -> Tensor { try fixture.get().tensor(named: name) }

    /// `SchedulerCommonTest.dummy_sample_deter`: 0..<768 laid out as (C, H, W, N), divided by 768, seen as NCHW.
    static func dummySample(reversed: Bool = false) -> Tensor {
        let count = 4 * 3 * 8 * 8
        var scalars = [Float](repeating: 0, count: count)
        for n in 0..<4 {
            for c in 0..<3 {
                for h in 0..<8 {
                    for w in 0..<8 {
                        let position = ((c * 8 + h) * 8 + w) * 4 + n
                        let value = reversed ? count - 1 - position : position
                        scalars[((n * 3 + c) * 8 + h) * 8 + w] = Float(value) / Float(count)
                    }
                }
            }
        }
        return Tensor(shape: [4, 3, 8, 8], scalars: scalars)
    }

    /// `SchedulerCommonTest.dummy_model`: `sample · t / (t + 1)` with each item's own timestep.
    static func dummyModel(_ sample: Tensor, timesteps: [Int]) -> Tensor {
        let itemCount = sample.count / sample.batchSize
        var scalars = sample.scalars
        for item in 0..<sample.batchSize {
            let t = Float(timesteps.count == 1 ? timesteps[0] : timesteps[item])
            for index in item * itemCount..<(item + 1) * itemCount { scalars[index] = scalars[index] * t / (t + 1) }
        }
        return Tensor(shape: sample.shape, scalars: scalars)
    }

    static func absoluteSum(_ tensor: Tensor) -> Double { tensor.scalars.reduce(0) { $0 + Double(abs($1)) } }

    /// `base` in both test files: linear betas 1e-4...0.02 over 1000 timesteps, clipping on.
    static func ddimConfiguration(betaStart: Double = 0.0001) -> DDIMScheduler.Configuration {
        var configuration = DDIMScheduler.Configuration()
        configuration.noiseSchedule.betaStart = betaStart
        return configuration
    }

    /// The three shifted copies of the dummy sample at timesteps 0, 1 and 2 of `test_batch_step_no_noise`.
    static func batchStepInputs() -> (samples: Tensor, timesteps: [Int]) {
        let sample = dummySample()
        return (Tensor.concatenatingBatches([sample, sample.map { $0 + 0.1 }, sample.map { $0 - 0.1 }]),
                [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])
    }

    // MARK: test_scheduler_ddpm_parallel.py

    @Test func ddpmBatchStepNoNoise() throws {
        let scheduler = try DDPMScheduler()
        let (samples, timesteps) = Self.batchStepInputs()
        let result = try scheduler.transitionWithoutNoise(
            modelOutput: Self.dummyModel(samples, timesteps: timesteps), sample: samples, timesteps: timesteps)
        #expect(abs(Self.absoluteSum(result) - 1153.1833) < 1e-2)
        #expect(abs(Self.absoluteSum(result) / Double(result.count) - 0.5005) < 1e-3)
        #expect(relativeError(result, try Self.expected("ddpm_batch_step_no_noise")) <= 1e-6)
    }

    @Test(arguments: [("ddpm_full_loop_no_noise", PredictionType.epsilon, 258.9606),
                      ("ddpm_full_loop_with_v_prediction", .vPrediction, 202.0296)])
    func ddpmFullLoop(name: String, prediction: PredictionType, expectedSum: Double) throws {
        var configuration = DDPMScheduler.Configuration()
        configuration.predictionType = prediction
        var scheduler = try DDPMScheduler(configuration: configuration)
        var generator = TorchGenerator(seed: 0)
        var sample = Self.dummySample()
        for t in (0..<1000).reversed() {
            sample = try scheduler.step(modelOutput: Self.dummyModel(sample, timesteps: [t]), timestep: t,
                                        sample: sample) { generator.randn($0) }
        }
        #expect(abs(Self.absoluteSum(sample) - expectedSum) < 1e-2)
        let error = relativeError(sample, try Self.expected(name))
        #expect(error <= 1e-4, "1000 noisy steps: relative error \(error)")
    }

    @Test func ddpmFullLoopWithNoise() throws {
        var scheduler = try DDPMScheduler()
        var generator = TorchGenerator(seed: 0)
        let timesteps = Array(scheduler.timesteps[998...])
        var sample = try scheduler.addNoise(original: Self.dummySample(), noise: Self.dummySample(reversed: true),
                                            timesteps: [timesteps[0]])
        #expect(relativeError(sample, try Self.expected("ddpm_full_loop_with_noise_noised")) <= 1e-6)
        for t in timesteps {
            sample = try scheduler.step(modelOutput: Self.dummyModel(sample, timesteps: [t]), timestep: t,
                                        sample: sample) { generator.randn($0) }
        }
        #expect(abs(Self.absoluteSum(sample) - 387.9466) < 1e-2)
        #expect(abs(Self.absoluteSum(sample) / Double(sample.count) - 0.5051) < 1e-3)
        #expect(relativeError(sample, try Self.expected("ddpm_full_loop_with_noise")) <= 1e-6)
    }

    // MARK: test_scheduler_ddim_parallel.py

    @Test func ddimBatchStepNoNoise() throws {
        var scheduler = try DDIMScheduler()
        try scheduler.setTimesteps(10)
        let (samples, timesteps) = Self.batchStepInputs()
        let result = try scheduler.transitionWithoutNoise(
            modelOutput: Self.dummyModel(samples, timesteps: timesteps), sample: samples, timesteps: timesteps)
        #expect(abs(Self.absoluteSum(result) - 1147.7904) < 1e-2)
        #expect(abs(Self.absoluteSum(result) / Double(result.count) - 0.4982) < 1e-3)
        #expect(relativeError(result, try Self.expected("ddim_batch_step_no_noise")) <= 1e-6)
    }

    @Test(arguments: [
        ("ddim_full_loop_no_noise", PredictionType.epsilon, 0.0001, true, 172.0067),
        ("ddim_full_loop_with_v_prediction", .vPrediction, 0.0001, true, 52.5302),
        ("ddim_full_loop_with_set_alpha_to_one", .epsilon, 0.01, true, 149.8295),
        ("ddim_full_loop_with_no_set_alpha_to_one", .epsilon, 0.01, false, 149.0784),
    ])
    func ddimFullLoop(name: String, prediction: PredictionType, betaStart: Double, setAlphaToOne: Bool,
                      expectedSum: Double) throws {
        var configuration = Self.ddimConfiguration(betaStart: betaStart)
        configuration.predictionType = prediction
        configuration.setAlphaToOne = setAlphaToOne
        var scheduler = try DDIMScheduler(configuration: configuration)
        try scheduler.setTimesteps(10)
        var sample = Self.dummySample()
        for t in scheduler.timesteps {
            sample = try scheduler.step(modelOutput: Self.dummyModel(sample, timesteps: [t]), timestep: t,
                                        sample: sample) { shape in
                Issue.record("DDIM with η = 0 drew noise")
                return Tensor(zeros: shape)
            }
        }
        #expect(abs(Self.absoluteSum(sample) - expectedSum) < 1e-2)
        #expect(relativeError(sample, try Self.expected(name)) <= 1e-5)
    }

    // MARK: Where diffusers' batched transitions are wrong

    /// DDIMParallelScheduler.batch_step_no_noise takes ᾱ before timestep 0 to be 1 even with
    /// set_alpha_to_one = false; the last step must use ᾱ_0, as DDIMScheduler.step does.
    @Test func ddimBatchedLastStepUsesFinalAlphaCumprod() throws {
        var configuration = Self.ddimConfiguration(betaStart: 0.01)
        configuration.setAlphaToOne = false
        var scheduler = try DDIMScheduler(configuration: configuration)
        try scheduler.setTimesteps(10)
        let samples = try Self.expected("ddim_final_alpha_samples")
        let result = try scheduler.transitionWithoutNoise(
            modelOutput: Self.dummyModel(samples, timesteps: scheduler.timesteps), sample: samples,
            timesteps: scheduler.timesteps)
        let expected = try Self.expected("ddim_final_alpha_expected")
        #expect(relativeError(result, expected) <= 1e-6)
        #expect(relativeError(try Self.expected("ddim_final_alpha_diffusers"), expected) > 1e-3,
                "the fixture no longer shows diffusers' final-alpha bug")
    }

    /// DDPMParallelScheduler.batch_step_no_noise steps back by T // n, which is not the previous timestep for
    /// trailing or linspace spacing (n = 7) or custom timesteps; DDPMScheduler.step takes it from the schedule.
    @Test(arguments: [("ddpm_trailing", TimestepSpacing.trailing), ("ddpm_linspace", .linspace),
                      ("ddpm_custom", .leading)])
    func ddpmBatchedStepTakesThePreviousTimestepFromTheSchedule(name: String, spacing: TimestepSpacing) throws {
        var configuration = DDPMScheduler.Configuration()
        configuration.timestepSpacing = spacing
        var scheduler = try DDPMScheduler(configuration: configuration)
        if name == "ddpm_custom" {
            try scheduler.setTimesteps(custom: [100, 87, 50, 1, 0])
        } else {
            try scheduler.setTimesteps(7)
        }
        let timesteps = try Self.expected("\(name)_timesteps").scalars.map { Int($0) }
        #expect(scheduler.timesteps == timesteps)
        let samples = try Self.expected("\(name)_samples")
        let result = try scheduler.transitionWithoutNoise(
            modelOutput: Self.dummyModel(samples, timesteps: timesteps), sample: samples, timesteps: timesteps)
        let expected = try Self.expected("\(name)_expected")
        #expect(relativeError(result, expected) <= 1e-6)
        #expect(relativeError(try Self.expected("\(name)_diffusers"), expected) > 1e-4,
                "the fixture no longer shows diffusers' fixed-stride bug")
    }
}
