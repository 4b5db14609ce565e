import Foundation
import ParadiffuseSchedulers
import ParadiffuseTensors
import Testing

/// Every fixture case of Tools/fixtures/make_scheduler_fixtures.py: diffusers' DDPMScheduler and DDIMScheduler
/// (and their Parallel variants' `step`) over short runs covering each configuration option.
struct SchedulerTrajectoryTests {
    @Test func everyFixtureCaseIsTested() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: SchedulerFixture.directory.path)
        let cases = Set(files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(".json".count)) })
        #expect(cases == Set(SchedulerFixture.allCases))
    }

    /// Bit for bit, except after the zero-SNR rescaling: its square roots come out one ulp apart in a few
    /// places, PyTorch's float32 `sqrt` not being correctly rounded.
    @Test(arguments: SchedulerFixture.allCases)
    func trainingScheduleMatchesDiffusersAlphasCumprod(name: String) throws {
        let fixture = try SchedulerFixture(name)
        let scheduler = try fixture.makeScheduler()
        let schedule = try #require((scheduler as? DDPMScheduler)?.noiseSchedule
            ?? (scheduler as? DDIMScheduler)?.noiseSchedule)
        #expect(schedule.alphasCumprod.count == fixture.alphasCumprod.count)
        let largest = zip(schedule.alphasCumprod, fixture.alphasCumprod).map { abs($0 - $1) }.max() ?? .infinity
        let tolerance: Float = schedule.configuration.rescaleBetasZeroSNR ? 2 * Float.ulpOfOne : 0
        #expect(largest <= tolerance, "alphas_cumprod differ by \(largest)")
    }

    @Test(arguments: SchedulerFixture.allCases)
    func timestepsEqualDiffusers(name: String) throws {
        let fixture = try SchedulerFixture(name)
        #expect(try fixture.makeScheduler().timesteps == fixture.timesteps)
    }

    /// Each step from diffusers' own input sample, with the noise diffusers drew, within 1e-6.
    @Test(arguments: SchedulerFixture.allCases)
    func everyStepMatchesDiffusers(name: String) throws {
        let fixture = try SchedulerFixture(name)
        var scheduler = try fixture.makeScheduler()
        for (index, timestep) in fixture.timesteps.enumerated() {
            let sample = fixture.samples[index]
            var drawnShapes: [[Int]] = []
            let output = try scheduler.step(modelOutput: fixture.modelOutput(sample, timestep: timestep),
                                            timestep: timestep, sample: sample) { shape in
                drawnShapes.append(shape)
                return fixture.noise[index]
            }
            #expect(drawnShapes == (fixture.draws[index] ? [sample.shape] : []), "draws at t=\(timestep)")
            let error = relativeError(output, fixture.samples[index + 1])
            #expect(error <= 1e-6, "step at t=\(timestep): relative error \(error)")
        }
    }

    /// The whole run from x_T with noise from a `TorchGenerator` seeded as diffusers' generator: within 1e-5 after
    /// 10 steps, 1e-4 after 50.
    @Test(arguments: SchedulerFixture.allCases)
    func trajectoryWithSeededNoiseMatchesDiffusers(name: String) throws {
        let fixture = try SchedulerFixture(name)
        var scheduler = try fixture.makeScheduler()
        var generator = TorchGenerator(seed: fixture.seed)
        let tolerance: Float = fixture.timesteps.count > 10 ? 1e-4 : 1e-5
        var sample = fixture.samples[0]
        for (index, timestep) in fixture.timesteps.enumerated() {
            sample = try scheduler.step(modelOutput: fixture.modelOutput(sample, timestep: timestep),
                                        timestep: timestep, sample: sample) { generator.randn($0) }
            let error = relativeError(sample, fixture.samples[index + 1])
            #expect(error <= tolerance, "after step \(index + 1) (t=\(timestep)): relative error \(error)")
        }
    }
}
