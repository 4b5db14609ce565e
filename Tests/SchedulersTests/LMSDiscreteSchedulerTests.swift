import Foundation
import Loading
import Schedulers
import Tensors
import Testing

/// diffusers' LMSDiscreteScheduler: the 4th-order linear multistep method, Karras σ, every spacing and prediction type.
struct LMSDiscreteSchedulerTests {
    static let cases = SigmaSchedulerFixture.cases(prefix: "lms_")

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
        try SigmaSchedulerChecks.schedulesEqualDiffusers(.lms)
    }

    @Test func addNoiseEqualsDiffusers() throws {
        try SigmaSchedulerChecks.addNoiseEqualsDiffusers(.lms)
    }

    @Test func karrasAndExponentialTogetherAreRejected() {
        #expect(SigmaSchedulerChecks.isRejected(
            .lms, ["use_karras_sigmas": .bool(true), "use_exponential_sigmas": .bool(true)],
            mentioning: ["use_karras_sigmas", "use_exponential_sigmas", "only one"]))
    }

    @Test func unsupportedOptionsAreRejectedByName() {
        #expect(SigmaSchedulerChecks.isRejected(.lms, ["prediction_type": .string("flow")],
                                                mentioning: ["prediction_type", "flow"]))
        #expect(SigmaSchedulerChecks.isRejected(.lms, ["beta_schedule": .string("sigmoid")],
                                                mentioning: ["beta_schedule", "sigmoid"]))
        #expect(SigmaSchedulerChecks.isRejected(.lms, ["timestep_spacing": .string("uniform")],
                                                mentioning: ["timestep_spacing", "uniform"]))
    }

    @Test func commandLineAndClassNamesChooseIt() throws {
        #expect(try SchedulerKind(named: SchedulerKind.lms.rawValue) == .lms)
        #expect(try SchedulerKind(named: LMSDiscreteScheduler.className) == .lms)
        #expect(try SchedulerKind.lms.makeScheduler() is LMSDiscreteScheduler)
    }
}
