import ParadiffusePipelines
import ParadiffuseSchedulers
import Testing

struct GenerationRequestTests {
    /// `generate --scheduler` offers exactly the schedulers the engine implements, by the same names.
    @Test func everySchedulerCanBeChosenByName() throws {
        let offered = Set(GenerationRequest.Scheduler.allCases.map(\.rawValue))
        let implemented = Set(SchedulerKind.allCases.map(\.rawValue))
        #expect(offered == implemented)
    }
}
