import ParadiffuseSchedulers
import Testing

/// What only diffusers' HeunDiscreteScheduler has here: its second evaluation per step (the fixture runs, with
/// Karras and exponential σ, every spacing and prediction type and clipping, are checked by `SigmaSchedulerTests`).
struct HeunDiscreteSchedulerTests {
    @Test func orderIsTwo() throws {
        var scheduler = try SigmaScheduleLists.scheduler(.heun)
        try scheduler.setTimesteps(10)
        #expect(scheduler.order == 2)
        #expect(scheduler.timesteps.count == 19)
    }
}
