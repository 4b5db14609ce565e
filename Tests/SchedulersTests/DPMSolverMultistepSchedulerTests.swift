import Foundation
import ParadiffuseLoading
import ParadiffuseSchedulers
import ParadiffuseTensors
import Testing

/// diffusers' DPMSolverMultistepScheduler: DPM-Solver(++) and SDE-DPM-Solver++ of orders 1 to 3, their final
/// steps, Karras σ, thresholding and every prediction type.
struct DPMSolverMultistepSchedulerTests {
    static let cases = MultistepSchedulerFixture.cases(prefix: "dpm_")

    @Test func fixtureCasesExist() {
        #expect(Self.cases.count == 15, "\(Self.cases)")
    }

    @Test(arguments: cases)
    func timestepsAndSigmasEqualDiffusers(name: String) throws {
        let fixture = try MultistepSchedulerFixture(name)
        let scheduler = try #require(try fixture.makeScheduler() as? DPMSolverMultistepScheduler)
        let zeroSNR = scheduler.configuration.noiseSchedule.rescaleBetasZeroSNR
        #expect(scheduler.timesteps == fixture.timesteps)
        #expect(sigmaDifference(scheduler.sigmas, try #require(fixture.sigmas)) <= (zeroSNR ? 1e-5 : Float.ulpOfOne))
        let alphaDifference = zip(scheduler.alphasCumprod, fixture.alphasCumprod).map { abs($0 - $1) }.max()
        #expect(scheduler.alphasCumprod.count == fixture.alphasCumprod.count)
        #expect(try #require(alphaDifference) <= (zeroSNR ? 2 * Float.ulpOfOne : 0))
    }

    /// dpm_timesteps.safetensors, read once: its header of 400 tensors takes a while to parse.
    static let timestepFile = try? SafetensorsFile(
        url: MultistepSchedulerFixture.directory.appendingPathComponent("dpm_timesteps.safetensors"))

    static let timestepLists: [String] = {
        let names = timestepFile?.tensorNames ?? []
        return names.filter { $0.hasSuffix("_timesteps") }.map { String($0.dropLast("_timesteps".count)) }.sorted()
    }()

    /// `<schedule>_<spacing>_n<count>` of the fixture: the configuration it names.
    static func configuration(ofList name: String) throws -> (DPMSolverMultistepScheduler.Configuration, Int) {
        var configuration = DPMSolverMultistepScheduler.Configuration()
        if name.hasPrefix("sd") {
            configuration.noiseSchedule.betaSchedule = .scaledLinear
            configuration.noiseSchedule.betaStart = 0.00085
            configuration.noiseSchedule.betaEnd = 0.012
        }
        if name.hasPrefix("cosine") { configuration.noiseSchedule.betaSchedule = .squaredcosCapV2 }
        configuration.noiseSchedule.rescaleBetasZeroSNR = name.hasPrefix("sd_zero_snr")
        if name.contains("_leading_offset1_") {
            configuration.timestepSpacing = .leading
            configuration.stepsOffset = 1
        }
        if name.contains("_trailing_") { configuration.timestepSpacing = .trailing }
        configuration.useKarrasSigmas = name.contains("_karras_")
        if name.contains("_karras_sigma_min_") { configuration.finalSigmas = .sigmaMin }
        let count = try #require(name.split(separator: "_").last.flatMap { Int($0.dropFirst()) })
        return (configuration, count)
    }

    @Test func timestepListsExist() {
        #expect(Self.timestepLists.count == 200)
    }

    /// Timesteps exactly; σ within one float32 rounding, PyTorch's vectorized `sqrt` not being correctly rounded
    /// (6 of Stable Diffusion's 1000 training σ are one ulp off), and the zero-SNR ᾱ themselves a few ulp apart.
    @Test(arguments: timestepLists)
    func setTimestepsEqualsDiffusers(name: String) throws {
        let file = try #require(Self.timestepFile)
        let (configuration, count) = try Self.configuration(ofList: name)
        var scheduler = try DPMSolverMultistepScheduler(configuration: configuration)
        try scheduler.setTimesteps(count)
        #expect(scheduler.timesteps == (try file.tensor(named: "\(name)_timesteps").scalars.map { Int($0) }))
        let sigmas = try file.tensor(named: "\(name)_sigmas").scalars
        let tolerance: Float = configuration.noiseSchedule.rescaleBetasZeroSNR ? 1e-5 : Float.ulpOfOne
        #expect(sigmaDifference(scheduler.sigmas, sigmas) <= tolerance)
    }

    /// `α·x₀ + σ·ε` at the σ of each timestep in the run: the second of a repeated timestep, the last step's σ
    /// for a timestep not in the run.
    @Test func addNoiseMatchesDiffusers() throws {
        let file = try SafetensorsFile(
            url: MultistepSchedulerFixture.directory.appendingPathComponent("dpm_add_noise.safetensors"))
        var configuration = DPMSolverMultistepScheduler.Configuration()
        configuration.noiseSchedule.betaSchedule = .scaledLinear
        configuration.noiseSchedule.betaStart = 0.00085
        configuration.noiseSchedule.betaEnd = 0.012
        configuration.useKarrasSigmas = true
        var scheduler = try DPMSolverMultistepScheduler(configuration: configuration)
        try scheduler.setTimesteps(try #require(Int(file.metadata["num_inference_steps"] ?? "")))
        let original = try file.tensor(named: "original"), noise = try file.tensor(named: "noise")
        let perItem = try #require(file.metadata["per_item_timesteps"]).split(separator: ",").compactMap { Int($0) }
        let shared = try #require(Int(file.metadata["shared_timestep"] ?? ""))
        let perItemError = relativeError(try scheduler.addNoise(original: original, noise: noise, timesteps: perItem),
                                         try file.tensor(named: "per_item"))
        let sharedError = relativeError(try scheduler.addNoise(original: original, noise: noise, timesteps: [shared]),
                                        try file.tensor(named: "shared"))
        #expect(perItemError <= 1e-6)
        #expect(sharedError <= 1e-6)
    }

    /// `setTimesteps` starts a new run: the history of the previous one is forgotten.
    @Test func settingTimestepsAgainRestartsTheRun() throws {
        let fixture = try MultistepSchedulerFixture("dpm_3m_heun_v_leading_offset")
        var scheduler = try fixture.makeScheduler()
        _ = try fixture.stepErrors(&scheduler)
        try scheduler.setTimesteps(fixture.stepCount)
        for step in try fixture.stepErrors(&scheduler) {
            #expect(step.error <= 1e-6, "second run, step at t=\(step.timestep): relative error \(step.error)")
        }
    }

    @Test func schedulerIsFoundByNameAndClassName() throws {
        #expect(try SchedulerKind(named: "dpm-solver") == .dpmSolver)
        #expect(try SchedulerKind(named: "DPMSolverMultistepScheduler") == .dpmSolver)
        #expect(try SchedulerKind.dpmSolver.makeScheduler() is DPMSolverMultistepScheduler)
    }

    @Test(arguments: [
        (["solver_order": 4] as [String: any Sendable], "solver_order", "must be 1, 2 or 3, got 4"),
        (["solver_order": 0], "solver_order", "got 0"),
        (["algorithm_type": "dpmsolver+++"], "algorithm_type", "'dpmsolver+++' is not supported"),
        (["algorithm_type": "sde-dpmsolver"], "algorithm_type", "choose one of dpmsolver++, dpmsolver, sde-dpmsolver++"),
        (["solver_type": "bh2"], "solver_type", "midpoint, heun"),
        (["algorithm_type": "dpmsolver"], "final_sigmas_type", "choose 'sigma_min'"),
        (["final_sigmas_type": "one"], "final_sigmas_type", "zero, sigma_min"),
        (["prediction_type": "flow_prediction"], "prediction_type", "epsilon"),
        (["use_exponential_sigmas": true], "use_exponential_sigmas", "not supported"),
        (["variance_type": "learned_range"], "variance_type", "not supported"),
        (["lambda_min_clipped": -5.1], "lambda_min_clipped", "not supported"),
        (["timestep_spacing": "karras"], "timestep_spacing", "linspace"),
        (["thresholding": true, "sample_max_value": 0], "sample_max_value", "positive"),
    ])
    func invalidConfigurationsAreRejectedNamingTheKey(values: [String: any Sendable], key: String, reason: String) throws {
        let config = try SchedulerConfigurationTests.config(["_class_name": "DPMSolverMultistepScheduler"]
            .merging(values) { $1 })
        let error = try #require(throws: LoadingError.self) { try makeScheduler(config: config) }
        #expect(error == .invalidConfigValue(config.url, key: key, reason: error.reason), "\(error)")
        #expect(error.description.contains(reason), "\(error)")
        #expect(error.description.contains("DPMSolverMultistepScheduler"), "\(error)")
    }

    @Test func aDDPMConfigSwappedToDPMSolverKeepsItsSchedule() throws {
        let config = try SchedulerConfigurationTests.config([
            "_class_name": "DDPMScheduler", "variance_type": "fixed_small", "clip_sample": true, "beta_end": 0.012])
        let scheduler = try SchedulerKind.dpmSolver.makeScheduler(config: config) as? DPMSolverMultistepScheduler
        #expect(scheduler?.noiseSchedule.betas.last == 0.012)
    }

    @Test func stepBeforeSetTimestepsIsRejected() throws {
        var scheduler = try DPMSolverMultistepScheduler()
        let sample = Tensor(zeros: [1, 3, 4, 4])
        #expect(throws: SchedulerError.timestepsNotSet(scheduler: "DPMSolverMultistepScheduler")) {
            try scheduler.step(modelOutput: sample, timestep: 999, sample: sample) { Tensor(zeros: $0) }
        }
    }

    @Test func stepPastTheLastTimestepIsRejected() throws {
        var scheduler = try DPMSolverMultistepScheduler()
        try scheduler.setTimesteps(2)
        let sample = Tensor(zeros: [1, 3, 4, 4])
        for timestep in scheduler.timesteps {
            _ = try scheduler.step(modelOutput: sample, timestep: timestep, sample: sample) { Tensor(zeros: $0) }
        }
        #expect(throws: SchedulerError.self) {
            try scheduler.step(modelOutput: sample, timestep: 0, sample: sample) { Tensor(zeros: $0) }
        }
    }
}

/// The largest difference of two σ lists relative to each σ (infinite when their lengths differ).
private func sigmaDifference(_ actual: [Float], _ expected: [Float]) -> Float {
    guard actual.count == expected.count else { return .infinity }
    return zip(actual, expected).map { $0 == $1 ? 0 : abs($0 - $1) / abs($1) }.max() ?? 0
}

private extension LoadingError {
    /// The reason of an `invalidConfigValue` error, to compare the rest of it.
    var reason: String {
        if case let .invalidConfigValue(_, _, reason) = self { reason } else { "" }
    }
}
