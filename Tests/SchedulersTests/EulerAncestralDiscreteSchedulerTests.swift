import Foundation
import Loading
import Schedulers
import Tensors
import Testing

/// diffusers' EulerAncestralDiscreteScheduler: ancestral Euler steps with seeded noise, every spacing and ε / v prediction.
struct EulerAncestralDiscreteSchedulerTests {
    static let cases = SigmaSchedulerFixture.cases(prefix: "euler_a_")

    @Test func fixtureCasesExist() {
        #expect(Self.cases.count == 3, "\(Self.cases)")
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
        try SigmaSchedulerChecks.schedulesEqualDiffusers(.eulerAncestral, karras: false)
    }

    @Test func addNoiseEqualsDiffusers() throws {
        try SigmaSchedulerChecks.addNoiseEqualsDiffusers(.eulerAncestral)
    }

    /// diffusers raises NotImplementedError for x₀ prediction at the first step; here the configuration is refused.
    @Test func samplePredictionIsRejected() {
        #expect(SigmaSchedulerChecks.isRejected(.eulerAncestral, ["prediction_type": .string("sample")],
                                                mentioning: ["prediction_type", "sample", "epsilon, v_prediction"]))
    }

    @Test func unsupportedOptionsAreRejectedByName() {
        #expect(SigmaSchedulerChecks.isRejected(.eulerAncestral, ["prediction_type": .string("flow")],
                                                mentioning: ["prediction_type", "flow"]))
        #expect(SigmaSchedulerChecks.isRejected(.eulerAncestral, ["beta_schedule": .string("sigmoid")],
                                                mentioning: ["beta_schedule", "sigmoid"]))
        #expect(SigmaSchedulerChecks.isRejected(.eulerAncestral, ["timestep_spacing": .string("uniform")],
                                                mentioning: ["timestep_spacing", "uniform"]))
    }

    @Test func commandLineAndClassNamesChooseIt() throws {
        #expect(try SchedulerKind(named: SchedulerKind.eulerAncestral.rawValue) == .eulerAncestral)
        #expect(try SchedulerKind(named: EulerAncestralDiscreteScheduler.className) == .eulerAncestral)
        #expect(try SchedulerKind.eulerAncestral.makeScheduler() is EulerAncestralDiscreteScheduler)
    }
}
