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
            config: config, settings: SchedulerSettings(karrasSigmas: true), source: source)
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
            _ = try SchedulerKind.ddim.makeScheduler(config: nil, settings: SchedulerSettings(karrasSigmas: true),
                                                     source: source)
        } throws: { error in "\(error)".contains("use_karras_sigmas") && "\(error)".contains("dpm-solver") }
    }
}
