import Foundation
import ParadiffuseLoading
import ParadiffuseSchedulers
import ParadiffuseTensors
import Testing

/// One σ scheduler as the shared checks see it: its kind and type, its fixture runs, and which of the shared options
/// it reads.
struct SigmaSchedulerCase: Sendable, CustomTestStringConvertible {
    let kind: SchedulerKind
    let type: any SigmaScheduler.Type
    /// The fixture runs written for it (their names start with its prefix).
    let fixtureNames: [String]
    let expectedFixtureCount: Int
    /// Whether it reads `use_karras_sigmas` and `use_exponential_sigmas` (Euler a does not).
    let readsSigmaSpacing: Bool
    /// Step counts diffusers cannot schedule, which `schedules.safetensors` therefore lacks.
    let countsWithoutSchedules: Set<Int>
    /// Whether it refuses x₀ prediction (diffusers raises NotImplementedError for it at the first step).
    let rejectsSamplePrediction: Bool

    var testDescription: String { kind.rawValue }

    init(_ kind: SchedulerKind, _ type: any SigmaScheduler.Type, fixturePrefix: String,
         excludingPrefix: String? = nil, expectedFixtureCount: Int, readsSigmaSpacing: Bool = true,
         countsWithoutSchedules: Set<Int> = [], rejectsSamplePrediction: Bool = false) {
        self.kind = kind
        self.type = type
        fixtureNames = SigmaSchedulerFixture.cases(prefix: fixturePrefix).filter { name in
            excludingPrefix.map { !name.hasPrefix($0) } ?? true
        }
        self.expectedFixtureCount = expectedFixtureCount
        self.readsSigmaSpacing = readsSigmaSpacing
        self.countsWithoutSchedules = countsWithoutSchedules
        self.rejectsSamplePrediction = rejectsSamplePrediction
    }

    static let all = [
        SigmaSchedulerCase(.euler, EulerDiscreteScheduler.self, fixturePrefix: "euler_", excludingPrefix: "euler_a_",
                           expectedFixtureCount: 10),
        SigmaSchedulerCase(.eulerAncestral, EulerAncestralDiscreteScheduler.self, fixturePrefix: "euler_a_",
                           expectedFixtureCount: 3, readsSigmaSpacing: false, rejectsSamplePrediction: true),
        SigmaSchedulerCase(.heun, HeunDiscreteScheduler.self, fixturePrefix: "heun_", expectedFixtureCount: 5),
        SigmaSchedulerCase(.lms, LMSDiscreteScheduler.self, fixturePrefix: "lms_", expectedFixtureCount: 5),
        SigmaSchedulerCase(.kdpm2, KDPM2DiscreteScheduler.self, fixturePrefix: "kdpm2_", excludingPrefix: "kdpm2_a_",
                           expectedFixtureCount: 5, rejectsSamplePrediction: true),
        SigmaSchedulerCase(.kdpm2Ancestral, KDPM2AncestralDiscreteScheduler.self, fixturePrefix: "kdpm2_a_",
                           expectedFixtureCount: 3, countsWithoutSchedules: [1], rejectsSamplePrediction: true),
    ]
    static let fixtureRuns = all.flatMap(\.fixtureNames)
    static let readingSigmaSpacing = all.filter(\.readsSigmaSpacing)
    static let rejectingSamplePrediction = all.filter(\.rejectsSamplePrediction)
}

/// The checks every σ scheduler (Euler, Euler a, Heun, LMS, KDPM2, KDPM2 a) passes against diffusers: its fixture
/// runs step for step, its schedules for every count and spacing, `add_noise`, and the options it refuses.
struct SigmaSchedulerTests {
    /// Fractional timesteps found from σ (Karras, exponential, KDPM2's midpoints) interpolate the training log σ,
    /// which NumPy's float32 log and the C library's differ on by an ulp: relative 1e-7 on the timestep.
    static let interpolatedTimestepTolerance: Float = 5e-7

    @Test(arguments: SigmaSchedulerCase.all)
    func fixtureRunsExist(scheduler: SigmaSchedulerCase) {
        #expect(scheduler.fixtureNames.count == scheduler.expectedFixtureCount, "\(scheduler.fixtureNames)")
    }

    /// Timesteps, σ and the initial noise σ of the fixture's run equal diffusers'.
    @Test(arguments: SigmaSchedulerCase.fixtureRuns)
    func scheduleEqualsDiffusers(name: String) throws {
        let fixture = try SigmaSchedulerFixture(name)
        let scheduler = try #require(try fixture.makeScheduler() as? any SigmaScheduler)
        #expect(scheduler.timesteps == Array(fixture.timesteps.indices))
        let timestepError = SigmaScheduleLists.difference(scheduler.modelTimesteps, fixture.timesteps)
        #expect(timestepError <= Self.interpolatedTimestepTolerance, "timesteps differ by \(timestepError)")
        let sigmaError = SigmaScheduleLists.difference(scheduler.sigmas, fixture.sigmas)
        #expect(sigmaError <= 2 * Float.ulpOfOne, "σ differ by \(sigmaError)")
        #expect(abs(scheduler.initNoiseSigma - fixture.initNoiseSigma) <= Float.ulpOfOne * fixture.initNoiseSigma)
    }

    /// Each model input and step from diffusers' own sample, keeping the state of the steps before and taking the
    /// noise diffusers drew, within 1e-6.
    @Test(arguments: SigmaSchedulerCase.fixtureRuns)
    func everyStepMatchesDiffusers(name: String) throws {
        let fixture = try SigmaSchedulerFixture(name)
        var scheduler = try fixture.makeScheduler()
        let steps = try fixture.stepErrors(&scheduler)
        #expect(steps.count == fixture.timesteps.count)
        for step in steps {
            #expect(step.drewAsDiffusers, "draws at key \(step.key)")
            #expect(step.inputError <= 1e-6, "model input at key \(step.key): relative error \(step.inputError)")
            #expect(step.stepError <= 1e-6, "step at key \(step.key): relative error \(step.stepError)")
        }
    }

    /// The whole run on the scheduler's own outputs, noise from a seeded `TorchGenerator`, within 1e-4.
    @Test(arguments: SigmaSchedulerCase.fixtureRuns)
    func trajectoryMatchesDiffusers(name: String) throws {
        let fixture = try SigmaSchedulerFixture(name)
        var scheduler = try fixture.makeScheduler()
        for (key, error) in try fixture.trajectoryErrors(&scheduler).enumerated() {
            #expect(error <= 1e-4, "after key \(key): relative error \(error)")
        }
    }

    /// set_timesteps for 1, 2, 7, 30 and 61 steps and every spacing (Karras where the scheduler reads it) on
    /// Stable Diffusion's betas.
    @Test(arguments: SigmaSchedulerCase.all)
    func schedulesForEveryCountAndSpacingEqualDiffusers(scheduler tested: SigmaSchedulerCase) throws {
        let file = try #require(SigmaScheduleLists.schedules)
        for spacing in SigmaScheduleLists.spacings where tested.readsSigmaSpacing || spacing.name != "karras" {
            for count in SigmaScheduleLists.counts where !tested.countsWithoutSchedules.contains(count) {
                let key = "\(tested.kind.classNames[0])_\(spacing.name)_n\(count)"
                var scheduler = try #require(try SigmaScheduleLists.scheduler(tested.kind, spacing.config)
                    as? any SigmaScheduler)
                try scheduler.setTimesteps(count)
                let timesteps = try file.tensor(named: "\(key)_timesteps").scalars
                let sigmas = try file.tensor(named: "\(key)_sigmas").scalars
                let timestepError = SigmaScheduleLists.difference(scheduler.modelTimesteps, timesteps)
                #expect(timestepError <= Self.interpolatedTimestepTolerance,
                        "\(key): timesteps differ by \(timestepError)")
                let sigmaError = SigmaScheduleLists.difference(scheduler.sigmas, sigmas)
                #expect(sigmaError <= 2 * Float.ulpOfOne, "\(key): σ differ by \(sigmaError)")
            }
        }
    }

    /// add_noise at the σ of a run's key (image-to-image's `set_begin_index`), within 1e-6.
    @Test(arguments: SigmaSchedulerCase.all)
    func addNoiseEqualsDiffusers(scheduler tested: SigmaSchedulerCase) throws {
        let file = try #require(SigmaScheduleLists.addNoise)
        let original = try file.tensor(named: "original"), noise = try file.tensor(named: "noise")
        let steps = try #require(Int(file.metadata["num_inference_steps"] ?? ""))
        for begin in (file.metadata["begins"] ?? "").split(separator: ",").compactMap({ Int($0) }) {
            var scheduler = try SigmaScheduleLists.scheduler(tested.kind)
            try scheduler.setTimesteps(steps)
            let noisy = try scheduler.addNoise(original: original, noise: noise, timesteps: [begin])
            let error = relativeError(noisy, try file.tensor(named: "\(tested.kind.classNames[0])_begin\(begin)"))
            #expect(error <= 1e-6, "begin \(begin): relative error \(error)")
        }
    }

    @Test(arguments: SigmaSchedulerCase.readingSigmaSpacing)
    func karrasAndExponentialTogetherAreRejected(scheduler: SigmaSchedulerCase) {
        #expect(SigmaScheduleLists.isRejected(
            scheduler.kind, ["use_karras_sigmas": .bool(true), "use_exponential_sigmas": .bool(true)],
            mentioning: ["use_karras_sigmas", "use_exponential_sigmas", "only one"]))
    }

    /// diffusers raises NotImplementedError for x₀ prediction at the first step; here the configuration is refused.
    @Test(arguments: SigmaSchedulerCase.rejectingSamplePrediction)
    func samplePredictionIsRejected(scheduler: SigmaSchedulerCase) {
        #expect(SigmaScheduleLists.isRejected(scheduler.kind, ["prediction_type": .string("sample")],
                                              mentioning: ["prediction_type", "sample", "epsilon, v_prediction"]))
    }

    @Test(arguments: SigmaSchedulerCase.all)
    func unsupportedOptionsAreRejectedByName(scheduler: SigmaSchedulerCase) {
        #expect(SigmaScheduleLists.isRejected(scheduler.kind, ["prediction_type": .string("flow")],
                                              mentioning: ["prediction_type", "flow"]))
        #expect(SigmaScheduleLists.isRejected(scheduler.kind, ["beta_schedule": .string("sigmoid")],
                                              mentioning: ["beta_schedule", "sigmoid"]))
        #expect(SigmaScheduleLists.isRejected(scheduler.kind, ["timestep_spacing": .string("uniform")],
                                              mentioning: ["timestep_spacing", "uniform"]))
    }

    @Test(arguments: SigmaSchedulerCase.all)
    func commandLineAndClassNamesChooseIt(scheduler: SigmaSchedulerCase) throws {
        #expect(try SchedulerKind(named: scheduler.kind.rawValue) == scheduler.kind)
        #expect(try SchedulerKind(named: scheduler.type.className) == scheduler.kind)
        #expect(type(of: try scheduler.kind.makeScheduler()) == scheduler.type)
    }
}
