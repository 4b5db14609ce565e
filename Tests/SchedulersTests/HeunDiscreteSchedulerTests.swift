import Foundation
import Loading
import Schedulers
import Tensors
import Testing

/// diffusers' HeunDiscreteScheduler: two evaluations per step, Karras and exponential σ, every spacing and prediction type, clipping.
struct HeunDiscreteSchedulerTests {
    static let cases = SigmaSchedulerFixture.cases(prefix: "heun_")

    @Test func fixtureCasesExist() {
        #expect(Self.cases.count == 4, "\(Self.cases)")
    }

    @Test(arguments: cases)
    func scheduleEqualsDiffusers(name: String) throws {
        try SigmaSchedulerChecks.scheduleEqualsDiffusers(name)
    }

    @Test(arguments: cases)
    func everyStepMatchesDiffusers(name: String) throws {
        try SigmaSchedulerChecks.everyStepMatchesDiffusers(name)
    }

    @Test(arguments: cases)
    func trajectoryMatchesDiffusers(name: String) throws {
        try SigmaSchedulerChecks.trajectoryMatchesDiffusers(name)
    }

    @Test func schedulesForEveryCountAndSpacingEqualDiffusers() throws {
        try SigmaSchedulerChecks.schedulesEqualDiffusers(.heun)
    }

    @Test func addNoiseEqualsDiffusers() throws {
        try SigmaSchedulerChecks.addNoiseEqualsDiffusers(.heun)
    }

    @Test func karrasAndExponentialTogetherAreRejected() {
        #expect(SigmaSchedulerChecks.isRejected(
            .heun, ["use_karras_sigmas": .bool(true), "use_exponential_sigmas": .bool(true)],
            mentioning: ["use_karras_sigmas", "use_exponential_sigmas", "only one"]))
    }

    @Test func orderIsTwo() throws {
        var scheduler = try SigmaScheduleLists.scheduler(.heun)
        try scheduler.setTimesteps(10)
        #expect(scheduler.order == 2)
        #expect(scheduler.timesteps.count == 19)
    }

    @Test func unsupportedOptionsAreRejectedByName() {
        #expect(SigmaSchedulerChecks.isRejected(.heun, ["prediction_type": .string("flow")],
                                                mentioning: ["prediction_type", "flow"]))
        #expect(SigmaSchedulerChecks.isRejected(.heun, ["beta_schedule": .string("sigmoid")],
                                                mentioning: ["beta_schedule", "sigmoid"]))
        #expect(SigmaSchedulerChecks.isRejected(.heun, ["timestep_spacing": .string("uniform")],
                                                mentioning: ["timestep_spacing", "uniform"]))
    }

    @Test func commandLineAndClassNamesChooseIt() throws {
        #expect(try SchedulerKind(named: SchedulerKind.heun.rawValue) == .heun)
        #expect(try SchedulerKind(named: HeunDiscreteScheduler.className) == .heun)
        #expect(try SchedulerKind.heun.makeScheduler() is HeunDiscreteScheduler)
    }
}
