import Foundation
import ParadiffuseLoading
import ParadiffuseSchedulers
import ParadiffuseTensors
import Testing

/// Building schedulers from names and from `scheduler_config.json` with diffusers' `from_config` semantics, and
/// rejecting what cannot work with messages that name the parameter.
struct SchedulerConfigurationTests {
    /// A scheduler_config.json holding `values`, in a fresh temporary folder.
    static func config(_ values: [String: Any]) throws -> JSONConfig {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("scheduler-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent("scheduler_config.json")
        try JSONSerialization.data(withJSONObject: values).write(to: url)
        return try JSONConfig(url: url)
    }

    @Test(arguments: [("ddpm", SchedulerKind.ddpm), ("DDPM", .ddpm), ("DDPMScheduler", .ddpm),
                      ("DDPMParallelScheduler", .ddpm), ("ddim", .ddim), ("Ddim", .ddim), ("DDIMScheduler", .ddim),
                      ("DDIMParallelScheduler", .ddim)])
    func schedulersAreFoundByNameOrClassName(name: String, kind: SchedulerKind) throws {
        #expect(try SchedulerKind(named: name) == kind)
        let scheduler = try SchedulerKind(named: name).makeScheduler()
        #expect(kind == .ddpm ? scheduler is DDPMScheduler : scheduler is DDIMScheduler)
    }

    @Test func unknownSchedulerNameIsRejectedListingKnownOnes() throws {
        let error = try #require(throws: SchedulerError.self) { try SchedulerKind(named: "ipndm") }
        #expect(error.description.contains("'ipndm'"))
        for known in ["ddpm", "ddim", "DDPMScheduler", "DDIMScheduler"] {
            #expect(error.description.contains(known), "\(error) lacks \(known)")
        }
    }

    @Test(arguments: [0, -5, 2_147_483_648])
    func trainingStepsOutsideTheirRangeAreRejectedBeforeAllocating(steps: Int) throws {
        for className in ["DDPMScheduler", "DDIMScheduler", "EulerDiscreteScheduler", "DPMSolverMultistepScheduler"] {
            let config = try Self.config(["_class_name": className, "num_train_timesteps": steps])
            let error = try #require(throws: (any Error).self) { try makeScheduler(config: config) }
            #expect("\(error)".contains("'num_train_timesteps'") && "\(error)".contains("\(steps)"), "\(className): \(error)")
        }
    }

    @Test func configOfAnUnknownClassIsRejected() throws {
        let config = try Self.config(["_class_name": "IPNDMScheduler", "num_train_timesteps": 1000])
        let error = try #require(throws: SchedulerError.self) { try makeScheduler(config: config) }
        #expect(error.description.contains("'IPNDMScheduler'"))
        #expect(error.description.contains("DDIMScheduler"))
    }

    @Test func configWithoutClassNameIsRejected() throws {
        let config = try Self.config(["num_train_timesteps": 1000])
        let error = try #require(throws: LoadingError.self) { try makeScheduler(config: config) }
        #expect(error == .missingConfigKey(config.url, key: "_class_name"))
    }

    @Test func absentKeysTakeDiffusersDefaultsAndUnknownKeysAreIgnored() throws {
        let config = try Self.config(["_class_name": "DDIMScheduler", "_diffusers_version": "0.42.1",
                                      "skip_prk_steps": true, "variance_type": "fixed_large", "future_key": [1, 2]])
        let ddim = try #require(try makeScheduler(config: config) as? DDIMScheduler)
        #expect(ddim.configuration == DDIMScheduler.Configuration())
        let ddpm = try #require(try SchedulerKind.ddpm.makeScheduler(config: config) as? DDPMScheduler)
        var expected = DDPMScheduler.Configuration()
        expected.varianceType = .fixedLarge
        #expect(ddpm.configuration == expected)
    }

    @Test func defaultsAreDiffusers() throws {
        let ddim = DDIMScheduler.Configuration(), ddpm = DDPMScheduler.Configuration()
        for schedule in [ddim.noiseSchedule, ddpm.noiseSchedule] {
            #expect(schedule.numTrainTimesteps == 1000 && schedule.betaStart == 0.0001 && schedule.betaEnd == 0.02)
            #expect(schedule.betaSchedule == .linear && schedule.trainedBetas == nil && !schedule.rescaleBetasZeroSNR)
        }
        #expect(ddim.clipSample && ddim.clipSampleRange == 1 && ddim.setAlphaToOne && ddim.stepsOffset == 0)
        #expect(ddim.predictionType == .epsilon && !ddim.thresholding && ddim.dynamicThresholdingRatio == 0.995)
        #expect(ddim.sampleMaxValue == 1 && ddim.timestepSpacing == .leading)
        #expect(ddpm.varianceType == .fixedSmall && ddpm.clipSample && ddpm.timestepSpacing == .leading)
        #expect(try DDIMScheduler().initNoiseSigma == 1 && DDPMScheduler().initNoiseSigma == 1)
    }

    @Test(arguments: [
        ("beta_schedule", "cosine" as any Sendable, "DDIMScheduler"),
        ("beta_schedule", "sigmoid", "DDIMScheduler"),
        ("prediction_type", "x0", "DDPMScheduler"),
        ("variance_type", "fixed_medium", "DDPMScheduler"),
        ("timestep_spacing", "uniform", "DDIMScheduler"),
        ("num_train_timesteps", "1000", "DDIMScheduler"),
        ("num_train_timesteps", 0, "DDPMScheduler"),
        ("clip_sample", "yes", "DDPMScheduler"),
        ("clip_sample_range", 0, "DDIMScheduler"),
        ("trained_betas", [0.1, 0.2], "DDPMScheduler"),
    ])
    func invalidConfigValuesAreRejectedNamingFileAndKey(key: String, value: any Sendable, className: String) throws {
        let config = try Self.config(["_class_name": className, key: value])
        let error = try #require(throws: LoadingError.self) { try makeScheduler(config: config) }
        #expect(error.description.contains(config.url.path), "\(error)")
        #expect(error.description.contains("'\(key)'"), "\(error)")
    }

    @Test func unsupportedChoiceListsTheSupportedValues() throws {
        let config = try Self.config(["_class_name": "DDIMScheduler", "beta_schedule": "sigmoid"])
        let error = try #require(throws: LoadingError.self) { try makeScheduler(config: config) }
        #expect(error.description.contains("linear, scaled_linear, squaredcos_cap_v2"), "\(error)")
        // DDPM has the sigmoid schedule.
        let ddpm = try Self.config(["_class_name": "DDPMScheduler", "beta_schedule": "sigmoid"])
        #expect(try makeScheduler(config: ddpm) is DDPMScheduler)
    }

    @Test func thresholdingParametersAreValidatedOnlyWhenThresholding() throws {
        let off = try Self.config(["_class_name": "DDIMScheduler", "dynamic_thresholding_ratio": 1.5])
        #expect(try makeScheduler(config: off) is DDIMScheduler)
        let on = try Self.config(["_class_name": "DDIMScheduler", "thresholding": true,
                                  "dynamic_thresholding_ratio": 1.5])
        let error = try #require(throws: LoadingError.self) { try makeScheduler(config: on) }
        #expect(error.description.contains("'dynamic_thresholding_ratio'"))
    }

    @Test func trainedBetasReplaceAnyBetaSchedule() throws {
        // As in diffusers, a schedule DDIM does not know is irrelevant once the betas are given.
        let config = try Self.config(["_class_name": "DDIMScheduler", "num_train_timesteps": 3,
                                      "trained_betas": [0.1, 0.2, 0.3], "beta_schedule": "sigmoid"])
        let scheduler = try #require(try makeScheduler(config: config) as? DDIMScheduler)
        #expect(scheduler.noiseSchedule.betas == [0.1, 0.2, 0.3])
    }

    @Test func negativeEtaIsRejected() throws {
        let error = try #require(throws: SchedulerError.self) {
            try DDIMScheduler(options: StepOptions(eta: -0.5))
        }
        #expect(error.description.contains("'eta'"))
    }

    @Test func modelOutputOfTheWrongShapeIsRejected() throws {
        var ddim = try DDIMScheduler()
        try ddim.setTimesteps(10)
        let sample = Tensor(zeros: [1, 4, 8, 8])
        let error = try #require(throws: SchedulerError.self) {
            try ddim.step(modelOutput: Tensor(zeros: [1, 8, 8, 8]), timestep: 900, sample: sample) { Tensor(zeros: $0) }
        }
        #expect(error.description.contains("'model_output'"))
        var configuration = DDPMScheduler.Configuration()
        configuration.varianceType = .learnedRange
        var ddpm = try DDPMScheduler(configuration: configuration)
        let learned = try #require(throws: SchedulerError.self) {
            try ddpm.step(modelOutput: sample, timestep: 900, sample: sample) { Tensor(zeros: $0) }
        }
        #expect(learned.description.contains("learned_range"))
    }
}
