import Foundation
import Loading
import Schedulers
import Tensors
import Testing

/// diffusers' KDPM2DiscreteScheduler: DPM-Solver-2 with its midpoint evaluations, Karras and exponential σ, every spacing, ε / v prediction.
struct KDPM2DiscreteSchedulerTests {
    static let cases = SigmaSchedulerFixture.cases(prefix: "kdpm2_").filter { !$0.hasPrefix("kdpm2_a_") }

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
        try SigmaSchedulerChecks.schedulesEqualDiffusers(.kdpm2)
    }

    @Test func addNoiseEqualsDiffusers() throws {
        try SigmaSchedulerChecks.addNoiseEqualsDiffusers(.kdpm2)
    }

    @Test func karrasAndExponentialTogetherAreRejected() {
        #expect(SigmaSchedulerChecks.isRejected(
            .kdpm2, ["use_karras_sigmas": .bool(true), "use_exponential_sigmas": .bool(true)],
            mentioning: ["use_karras_sigmas", "use_exponential_sigmas", "only one"]))
    }

    /// diffusers raises NotImplementedError for x₀ prediction at the first step; here the configuration is refused.
    @Test func samplePredictionIsRejected() {
        #expect(SigmaSchedulerChecks.isRejected(.kdpm2, ["prediction_type": .string("sample")],
                                                mentioning: ["prediction_type", "sample", "epsilon, v_prediction"]))
    }

    @Test func unsupportedOptionsAreRejectedByName() {
        #expect(SigmaSchedulerChecks.isRejected(.kdpm2, ["prediction_type": .string("flow")],
                                                mentioning: ["prediction_type", "flow"]))
        #expect(SigmaSchedulerChecks.isRejected(.kdpm2, ["beta_schedule": .string("sigmoid")],
                                                mentioning: ["beta_schedule", "sigmoid"]))
        #expect(SigmaSchedulerChecks.isRejected(.kdpm2, ["timestep_spacing": .string("uniform")],
                                                mentioning: ["timestep_spacing", "uniform"]))
    }

    @Test func commandLineAndClassNamesChooseIt() throws {
        #expect(try SchedulerKind(named: SchedulerKind.kdpm2.rawValue) == .kdpm2)
        #expect(try SchedulerKind(named: KDPM2DiscreteScheduler.className) == .kdpm2)
        #expect(try SchedulerKind.kdpm2.makeScheduler() is KDPM2DiscreteScheduler)
    }
}
