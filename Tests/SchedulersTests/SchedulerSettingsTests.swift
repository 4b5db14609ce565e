import Foundation
import ParadiffuseLoading
import ParadiffuseSchedulers
import Testing

struct SchedulerSettingsTests {
    private let source = URL(fileURLWithPath: "/command-line")

    @Test func karrasSigmasAndSpacingOverrideTheFolderConfig() throws {
        let config = try SchedulerConfigurationTests.config(["_class_name": "DDPMScheduler", "timestep_spacing": "leading"])
        var plain = try SchedulerKind.dpmSolver.makeScheduler(config: config, settings: SchedulerSettings(), source: source)
        var karras = try SchedulerKind.dpmSolver.makeScheduler(
            config: config, settings: SchedulerSettings(sigmaSpacing: .karras), source: source)
        try plain.setTimesteps(10)
        try karras.setTimesteps(10)
        #expect((karras as? DPMSolverMultistepScheduler)?.configuration.useKarrasSigmas == true)
        #expect(plain.timesteps != karras.timesteps)

        var trailing = try SchedulerKind.ddim.makeScheduler(
            config: config, settings: SchedulerSettings(timestepSpacing: "trailing"), source: source)
        try trailing.setTimesteps(10)
        #expect(trailing.timesteps.first == 999)
    }

    @Test func settingsApplyWithoutAFolderConfig() throws {
        var scheduler = try SchedulerKind.ddim.makeScheduler(
            config: nil, settings: SchedulerSettings(timestepSpacing: "trailing"), source: source)
        try scheduler.setTimesteps(4)
        #expect(scheduler.timesteps == [999, 749, 499, 249])
    }

    @Test func karrasSigmasForASchedulerWithoutThemIsRejected() throws {
        #expect {
            _ = try SchedulerKind.ddim.makeScheduler(config: nil, settings: SchedulerSettings(sigmaSpacing: .karras),
                                                     source: source)
        } throws: { error in "\(error)".contains("use_karras_sigmas") && "\(error)".contains("dpm-solver") }
    }

    /// `--sigma-schedule beta` replaces a folder's Karras σ for the σ schedulers (all three keys are set), and is an
    /// error naming the schedulers that read it for the others.
    @Test func aSigmaScheduleReplacesTheFoldersAndReachesOnlyItsReaders() throws {
        let config = try SchedulerConfigurationTests.config(["_class_name": "EulerDiscreteScheduler",
                                                             "use_karras_sigmas": true])
        let beta = try SchedulerKind.euler.makeScheduler(config: config, settings: SchedulerSettings(sigmaSpacing: .beta),
                                                         source: source)
        #expect((beta as? EulerDiscreteScheduler)?.configuration.sigmaSpacing == .beta)
        #expect {
            _ = try SchedulerKind.dpmSolver.makeScheduler(config: config, settings: SchedulerSettings(sigmaSpacing: .beta),
                                                          source: source)
        } throws: { error in
            "\(error)".contains("use_beta_sigmas") && "\(error)".contains("euler, heun, lms, kdpm2, kdpm2-a")
        }
    }
}
