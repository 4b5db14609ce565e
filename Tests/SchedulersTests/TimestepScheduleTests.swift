import ParadiffuseLoading
import ParadiffuseSchedulers
import ParadiffuseTensors
import Testing

/// `set_timesteps` for every spacing, against diffusers' lists, and the counts diffusers refuses.
struct TimestepScheduleTests {
    /// Name, training timesteps, spacing, offset and count of each list in timesteps.safetensors.
    struct ListCase: CustomStringConvertible {
        let name: String
        let spacing: TimestepSpacing
        let stepsOffset: Int
        let trainTimesteps: Int
        let count: Int

        var description: String { name }

        /// `<spacing>_offset<k>_T<T>_n<n>`.
        init(_ name: String) throws {
            self.name = name
            let parts = name.split(separator: "_")
            guard parts.count == 4, let spacing = TimestepSpacing(rawValue: String(parts[0])),
                  let offset = Int(parts[1].dropFirst("offset".count)), let train = Int(parts[2].dropFirst()),
                  let count = Int(parts[3].dropFirst()) else { throw ListNameError(name: name) }
            self.spacing = spacing
            stepsOffset = offset
            trainTimesteps = train
            self.count = count
        }

        struct ListNameError: Error { let name: String }
    }

    static let file = Result { try SafetensorsFile(url: SchedulerFixture.url("timesteps.safetensors")) }

    @Test func setTimestepsListsEqualDiffusersForEverySpacing() throws {
        let file = try Self.file.get()
        #expect(file.tensorNames.count > 100)
        for name in file.tensorNames {
            let list = try ListCase(name)
            let diffusers = try file.tensor(named: name).scalars.map { Int($0) }
            // NumPy's arange gives a few trailing counts (61 and 103 of 1000, ...) an extra last timestep −1.
            let expected = diffusers.filter { $0 >= 0 }
            #expect(expected.count == list.count, "\(name)")

            var ddimConfiguration = DDIMScheduler.Configuration()
            ddimConfiguration.noiseSchedule.numTrainTimesteps = list.trainTimesteps
            ddimConfiguration.timestepSpacing = list.spacing
            ddimConfiguration.stepsOffset = list.stepsOffset
            var ddim = try DDIMScheduler(configuration: ddimConfiguration)
            try ddim.setTimesteps(list.count)
            #expect(ddim.timesteps == expected, "DDIM \(name)")

            var ddpmConfiguration = DDPMScheduler.Configuration()
            ddpmConfiguration.noiseSchedule.numTrainTimesteps = list.trainTimesteps
            ddpmConfiguration.timestepSpacing = list.spacing
            ddpmConfiguration.stepsOffset = list.stepsOffset
            var ddpm = try DDPMScheduler(configuration: ddpmConfiguration)
            try ddpm.setTimesteps(list.count)
            #expect(ddpm.timesteps == expected, "DDPM \(name)")
        }
    }

    @Test func trailingSpacingDropsNumPysNegativeTimestep() throws {
        let diffusers = try Self.file.get().tensor(named: "trailing_offset0_T1000_n61").scalars.map { Int($0) }
        #expect(diffusers.count == 62 && diffusers.last == -1)
        var configuration = DDIMScheduler.Configuration()
        configuration.timestepSpacing = .trailing
        var scheduler = try DDIMScheduler(configuration: configuration)
        try scheduler.setTimesteps(61)
        #expect(scheduler.timesteps == Array(diffusers.dropLast()))
    }

    @Test func stepsOffsetMovesLeadingTimesteps() throws {
        var configuration = DDIMScheduler.Configuration()
        configuration.stepsOffset = 1
        var scheduler = try DDIMScheduler(configuration: configuration)
        try scheduler.setTimesteps(5)
        #expect(scheduler.timesteps == [801, 601, 401, 201, 1])  // test_scheduler_ddim_parallel.py
    }

    @Test func moreInferenceStepsThanTrainingTimestepsAreRejected() throws {
        var ddim = try DDIMScheduler()
        let error = try #require(throws: SchedulerError.self) { try ddim.setTimesteps(1001) }
        #expect(error == .tooManyInferenceSteps(scheduler: "DDIMScheduler", requested: 1001, trainTimesteps: 1000))
        #expect(error.description.contains("'num_inference_steps' 1001"))
        #expect(error.description.contains("'num_train_timesteps' 1000"))
        var ddpm = try DDPMScheduler()
        #expect(throws: SchedulerError.tooManyInferenceSteps(scheduler: "DDPMScheduler", requested: 1001,
                                                             trainTimesteps: 1000)) { try ddpm.setTimesteps(1001) }
    }

    @Test func zeroInferenceStepsAreRejected() throws {
        var scheduler = try DDIMScheduler()
        let error = try #require(throws: SchedulerError.self) { try scheduler.setTimesteps(0) }
        #expect(error.description.contains("'num_inference_steps'"))
    }

    @Test func stepsOffsetPastTheScheduleIsRejected() throws {
        var configuration = DDPMScheduler.Configuration()
        configuration.stepsOffset = 1
        var scheduler = try DDPMScheduler(configuration: configuration)
        let error = try #require(throws: SchedulerError.self) { try scheduler.setTimesteps(1000) }
        #expect(error.description.contains("'steps_offset'"))
        #expect(error.description.contains("1000"))
    }

    @Test func ddimStepBeforeSetTimestepsIsRejected() throws {
        var scheduler = try DDIMScheduler()
        let sample = Tensor(zeros: [1, 1, 2, 2])
        #expect(throws: SchedulerError.timestepsNotSet(scheduler: "DDIMScheduler")) {
            try scheduler.step(modelOutput: sample, timestep: 999, sample: sample) { Tensor(zeros: $0) }
        }
    }

    @Test func ddpmCustomTimestepsMustDescendWithinTheSchedule() throws {
        var scheduler = try DDPMScheduler()
        // test_custom_timesteps_increasing_order and test_custom_timesteps_too_large
        let unordered = try #require(throws: SchedulerError.self) {
            try scheduler.setTimesteps(custom: [100, 87, 50, 51, 0])
        }
        #expect(unordered.description.contains("descending"))
        let tooLarge = try #require(throws: SchedulerError.self) { try scheduler.setTimesteps(custom: [1000]) }
        #expect(tooLarge.description.contains("0..<1000"))
        #expect(throws: SchedulerError.self) { try scheduler.setTimesteps(custom: []) }
    }

    @Test func ddpmStepAtATimestepOutsideTheScheduleIsRejected() throws {
        var scheduler = try DDPMScheduler()
        try scheduler.setTimesteps(10)
        let sample = Tensor(zeros: [1, 1, 2, 2])
        #expect(throws: SchedulerError.timestepNotInSchedule(scheduler: "DDPMScheduler", timestep: 901)) {
            try scheduler.step(modelOutput: sample, timestep: 901, sample: sample) { Tensor(zeros: $0) }
        }
        #expect(throws: SchedulerError.timestepOutOfRange(scheduler: "DDPMScheduler", timestep: 1000,
                                                          trainTimesteps: 1000)) {
            try scheduler.transitionWithoutNoise(modelOutput: sample, sample: sample, timesteps: [1000])
        }
    }
}
