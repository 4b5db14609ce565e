import Foundation
import ParadiffuseLoading
import ParadiffuseSchedulers
import ParadiffuseTensors
import Testing

/// The forward process, dynamic thresholding's quantiles, and the variance types diffusers gets wrong.
struct NoiseScheduleTests {
    @Test func addNoiseMatchesDiffusersPerItemAndForTheWholeBatch() throws {
        let file = try SafetensorsFile(url: SchedulerFixture.url("add_noise.safetensors"))
        var configuration = DDIMScheduler.Configuration()
        configuration.noiseSchedule.betaSchedule = .scaledLinear
        configuration.noiseSchedule.betaStart = 0.00085
        configuration.noiseSchedule.betaEnd = 0.012
        let scheduler = try DDIMScheduler(configuration: configuration)
        let original = try file.tensor(named: "original"), noise = try file.tensor(named: "noise")
        let perItem = try #require(file.metadata["per_item_timesteps"]).split(separator: ",").compactMap { Int($0) }
        #expect(perItem.count == 4)
        let noised = try scheduler.addNoise(original: original, noise: noise, timesteps: perItem)
        #expect(relativeError(noised, try file.tensor(named: "per_item")) <= 1e-6)
        let shared = try scheduler.addNoise(original: original, noise: noise, timesteps: [250])
        #expect(relativeError(shared, try file.tensor(named: "shared")) <= 1e-6)
        #expect(throws: SchedulerError.self) {
            try scheduler.addNoise(original: original, noise: noise, timesteps: [1, 2])
        }
    }

    @Test(arguments: [("0.0", Float(0)), ("0.123", 0.123), ("0.5", 0.5), ("0.9", 0.9), ("0.995", 0.995),
                      ("1.0", 1)])
    func itemQuantilesEqualTorchQuantile(name: String, q: Float) throws {
        let file = try SafetensorsFile(url: SchedulerFixture.url("quantiles.safetensors"))
        let input = try file.tensor(named: "input").map(abs)
        let expected = try file.tensor(named: "quantile_\(name)")
        #expect(input.itemQuantiles(q) == expected.scalars)
    }

    /// diffusers' DDPM takes the square root of log β_t for `fixed_large_log`, a NaN; Glide's "max_log" means a
    /// log variance of log β_t, which is `fixed_large`'s variance.
    @Test func fixedLargeLogAddsNoiseOfVarianceBeta() throws {
        var logConfiguration = DDPMScheduler.Configuration()
        logConfiguration.varianceType = .fixedLargeLog
        var configuration = DDPMScheduler.Configuration()
        configuration.varianceType = .fixedLarge
        var logScheduler = try DDPMScheduler(configuration: logConfiguration)
        var scheduler = try DDPMScheduler(configuration: configuration)
        try logScheduler.setTimesteps(20)
        try scheduler.setTimesteps(20)
        for timestep in scheduler.timesteps {
            let logScale = try logScheduler.noiseScale(at: timestep), scale = try scheduler.noiseScale(at: timestep)
            #expect(logScale.isFinite && abs(logScale - scale) <= 1e-6 * max(scale, 1e-3), "t=\(timestep)")
        }
    }
}
