import Foundation
import ParadiffuseLoading
import ParadiffuseSchedulers
import ParadiffuseTensors
import Testing

/// How UniPC, DEIS, singlestep DPM-Solver and LCM read `scheduler_config.json`: names, diffusers' defaults and
/// aliases, and the combinations they reject.
struct SolverSchedulerConfigurationTests {
    @Test(arguments: [
        ("unipc", SchedulerKind.unipc), ("UniPCMultistepScheduler", .unipc), ("deis", .deis),
        ("DEISMultistepScheduler", .deis), ("dpm-solver-singlestep", .dpmSolverSinglestep),
        ("DPMSolverSinglestepScheduler", .dpmSolverSinglestep), ("LCM", .lcm), ("LCMScheduler", .lcm),
    ])
    func schedulersAreFoundByNameOrClassName(name: String, kind: SchedulerKind) throws {
        #expect(try SchedulerKind(named: name) == kind)
    }

    @Test func defaultsAreDiffusers() throws {
        let unipc = try #require(try SchedulerKind.unipc.makeScheduler() as? UniPCMultistepScheduler).configuration
        #expect(unipc.solverOrder == 2 && unipc.solverType == .bh2 && unipc.predictX0 && unipc.lowerOrderFinal)
        #expect(unipc.finalSigmas == .zero && unipc.timestepSpacing == .linspace)
        let single = try #require(try SchedulerKind.dpmSolverSinglestep.makeScheduler()
            as? DPMSolverSinglestepScheduler).configuration
        #expect(single.solverOrder == 2 && single.algorithm == .dpmSolverPlusPlus && !single.lowerOrderFinal)
        let lcm = try #require(try SchedulerKind.lcm.makeScheduler() as? LCMScheduler)
        #expect(lcm.configuration.originalInferenceSteps == 50 && lcm.configuration.timestepScaling == 10)
        #expect(lcm.noiseSchedule.configuration.betaSchedule == .scaledLinear)
        #expect(lcm.noiseSchedule.configuration.betaStart == 0.00085 && lcm.noiseSchedule.configuration.betaEnd == 0.012)
    }

    @Test(arguments: [
        ("UniPCMultistepScheduler", ["solver_type": "bh3"] as [String: any Sendable], "solver_type", "choose bh1 or bh2"),
        ("UniPCMultistepScheduler", ["solver_order": 4], "solver_order", "must be 1, 2 or 3"),
        ("UniPCMultistepScheduler", ["solver_type": "bh1"], "final_sigmas_type", "choose 'sigma_min'"),
        ("UniPCMultistepScheduler", ["predict_x0": false], "final_sigmas_type", "NaN or infinite"),
        ("UniPCMultistepScheduler", ["lower_order_final": false], "final_sigmas_type", "first-order"),
        ("UniPCMultistepScheduler", ["use_flow_sigmas": true], "use_flow_sigmas", "not supported"),
        ("UniPCMultistepScheduler", ["prediction_type": "flow_prediction"], "prediction_type", "epsilon"),
        ("UniPCMultistepScheduler", ["solver_p": ["_class_name": "DDIMScheduler"]], "solver_p", "not supported"),
        ("DEISMultistepScheduler", ["algorithm_type": "sde-dpmsolver++"], "algorithm_type", "only 'deis'"),
        ("DEISMultistepScheduler", ["solver_type": "bh3"], "solver_type", "only 'logrho'"),
        ("DEISMultistepScheduler", ["solver_order": 0], "solver_order", "got 0"),
        ("DEISMultistepScheduler", ["use_exponential_sigmas": true], "use_exponential_sigmas", "not supported"),
        ("DPMSolverSinglestepScheduler", ["algorithm_type": "dpmsolver"], "final_sigmas_type", "choose 'sigma_min'"),
        ("DPMSolverSinglestepScheduler", ["algorithm_type": "dpmsolver", "final_sigmas_type": "sigma_min",
                                          "thresholding": true], "thresholding", "not supported"),
        ("DPMSolverSinglestepScheduler", ["solver_type": "bh3"], "solver_type", "midpoint, heun"),
        ("DPMSolverSinglestepScheduler", ["lambda_min_clipped": -5.1], "lambda_min_clipped", "not supported"),
        ("DPMSolverSinglestepScheduler", ["variance_type": "learned_range"], "variance_type", "not supported"),
        ("LCMScheduler", ["original_inference_steps": 1001], "original_inference_steps", "1...1000"),
        ("LCMScheduler", ["beta_schedule": "sigmoid"], "beta_schedule", "scaled_linear"),
        ("LCMScheduler", ["thresholding": true, "sample_max_value": 0], "sample_max_value", "positive"),
    ])
    func invalidConfigurationsAreRejectedNamingTheKey(className: String, values: [String: any Sendable], key: String,
                                                      reason: String) throws {
        let config = try SchedulerConfigurationTests.config(["_class_name": className].merging(values) { $1 })
        let error = try #require(throws: LoadingError.self) { try makeScheduler(config: config) }
        guard case let .invalidConfigValue(url, rejectedKey, _) = error else {
            Issue.record("\(error)")
            return
        }
        #expect(url == config.url && rejectedKey == key, "\(error)")
        #expect(error.description.contains(reason), "\(error)")
        #expect(error.description.contains(className), "\(error)")
    }

    /// diffusers turns the other DPM-style solvers' names into its own, as each constructor does.
    @Test func otherSolversNamesAreAliasesAsInDiffusers() throws {
        let unipc = try makeScheduler(config: try SchedulerConfigurationTests.config(
            ["_class_name": "UniPCMultistepScheduler", "solver_type": "logrho"])) as? UniPCMultistepScheduler
        #expect(unipc?.configuration.solverType == .bh2)
        let deis = try makeScheduler(config: try SchedulerConfigurationTests.config(
            ["_class_name": "DEISMultistepScheduler", "algorithm_type": "dpmsolver", "solver_type": "bh1"]))
        #expect(deis is DEISMultistepScheduler)
        let single = try makeScheduler(config: try SchedulerConfigurationTests.config(
            ["_class_name": "DPMSolverSinglestepScheduler", "algorithm_type": "deis", "solver_type": "bh2"]))
            as? DPMSolverSinglestepScheduler
        #expect(single?.configuration.algorithm == .dpmSolverPlusPlus && single?.configuration.solverType == .midpoint)
    }

    /// A Stable Diffusion PNDM config swapped to these schedulers keeps its noise schedule; keys they do not
    /// read are ignored.
    @Test(arguments: [SchedulerKind.unipc, .deis, .dpmSolverSinglestep, .lcm])
    func aStableDiffusionConfigSwappedKeepsItsSchedule(kind: SchedulerKind) throws {
        let config = try SchedulerConfigurationTests.config([
            "_class_name": "PNDMScheduler", "beta_schedule": "scaled_linear", "beta_start": 0.00085,
            "beta_end": 0.012, "skip_prk_steps": true, "steps_offset": 1, "set_alpha_to_one": false,
            "clip_sample": false, "trained_betas": NSNull()])
        var scheduler = try kind.makeScheduler(config: config)
        try scheduler.setTimesteps(4)
        #expect(scheduler.timesteps.count == 4)
        #expect(scheduler.timesteps.allSatisfy { (0..<1000).contains($0) })
    }

    /// diffusers' `get_order_list` for each order, length and `lower_order_final`.
    @Test func singlestepGroupsEqualDiffusersOrderLists() {
        #expect(DPMSolverSinglestepScheduler.groupOrders(count: 7, order: 3, lowerOrderFinal: true) == [1, 2, 3, 1, 2, 3, 1])
        #expect(DPMSolverSinglestepScheduler.groupOrders(count: 6, order: 3, lowerOrderFinal: true) == [1, 2, 3, 1, 2, 1])
        #expect(DPMSolverSinglestepScheduler.groupOrders(count: 8, order: 3, lowerOrderFinal: true) == [1, 2, 3, 1, 2, 3, 1, 2])
        #expect(DPMSolverSinglestepScheduler.groupOrders(count: 6, order: 3, lowerOrderFinal: false) == [1, 2, 3, 1, 2, 3])
        #expect(DPMSolverSinglestepScheduler.groupOrders(count: 6, order: 2, lowerOrderFinal: true) == [1, 2, 1, 2, 1, 1])
        #expect(DPMSolverSinglestepScheduler.groupOrders(count: 5, order: 2, lowerOrderFinal: true) == [1, 2, 1, 2, 1])
        #expect(DPMSolverSinglestepScheduler.groupOrders(count: 3, order: 1, lowerOrderFinal: false) == [1, 1, 1])
    }

    /// As diffusers' `register_to_config`, a count the order does not divide turns `lower_order_final` on for
    /// good.
    @Test func singlestepLowerOrderFinalStaysOnOnceACountNeedsIt() throws {
        var configuration = DPMSolverSinglestepScheduler.Configuration()
        configuration.finalSigmas = .sigmaMin
        var scheduler = try DPMSolverSinglestepScheduler(configuration: configuration)
        try scheduler.setTimesteps(6)
        #expect(scheduler.stepOrders == [1, 2, 1, 2, 1, 2])
        try scheduler.setTimesteps(5)
        try scheduler.setTimesteps(6)
        #expect(scheduler.configuration.lowerOrderFinal)
        #expect(scheduler.stepOrders == [1, 2, 1, 2, 1, 1])
    }

    @Test func lcmRunLongerThanItsDistillationScheduleIsRejected() throws {
        var scheduler = try LCMScheduler()
        #expect(throws: SchedulerError.self) { try scheduler.setTimesteps(51) }
        try scheduler.setTimesteps(4)
        #expect(scheduler.timesteps == [999, 759, 499, 259])
        let sample = Tensor(zeros: [1, 4, 2, 2])
        #expect(throws: SchedulerError.timestepNotInSchedule(scheduler: "LCMScheduler", timestep: 500)) {
            try scheduler.step(modelOutput: sample, timestep: 500, sample: sample) { Tensor(zeros: $0) }
        }
    }

    /// `--karras` reaches the solvers that read `use_karras_sigmas`; `--timestep-spacing` is an error for the two
    /// that ignore `timestep_spacing`.
    @Test func runSettingsReachOnlyTheSchedulersThatReadThem() throws {
        let source = URL(fileURLWithPath: "/settings")
        let karras = SchedulerSettings(sigmaSpacing: .karras)
        let unipc = try SchedulerKind.unipc.makeScheduler(config: nil, settings: karras, source: source)
        #expect((unipc as? UniPCMultistepScheduler)?.configuration.useKarrasSigmas == true)
        #expect(throws: SchedulerError.self) {
            try SchedulerKind.lcm.makeScheduler(config: nil, settings: karras, source: source)
        }
        let trailing = SchedulerSettings(timestepSpacing: "trailing")
        let deis = try SchedulerKind.deis.makeScheduler(config: nil, settings: trailing, source: source)
        #expect((deis as? DEISMultistepScheduler)?.configuration.timestepSpacing == .trailing)
        for kind in [SchedulerKind.dpmSolverSinglestep, .lcm] {
            #expect(throws: SchedulerError.self) { try kind.makeScheduler(config: nil, settings: trailing, source: source) }
        }
    }

    @Test(arguments: [SchedulerKind.unipc, .deis, .dpmSolverSinglestep])
    func stepBeforeSetTimestepsIsRejected(kind: SchedulerKind) throws {
        var scheduler = try kind.makeScheduler()
        let sample = Tensor(zeros: [1, 3, 4, 4])
        #expect(throws: SchedulerError.timestepsNotSet(scheduler: kind.classNames[0])) {
            try scheduler.step(modelOutput: sample, timestep: 999, sample: sample) { Tensor(zeros: $0) }
        }
    }
}
