import Foundation
import ParadiffuseLoading
import ParadiffuseSchedulers
import ParadiffuseTensors

enum SchedulerConfigFuzzing {
    /// Builds every scheduler from the bytes as its `scheduler_config.json` and sets it to 1, 2, 7 and 50 steps,
    /// reading each step's model timestep and scaling a one-element sample.
    static func run(_ data: Data) throws {
        let config = try JSONConfig(data: data, url: FuzzTarget.source)
        let sample = Tensor(shape: [1, 1, 1, 1], scalars: [0.5])
        for kind in SchedulerKind.allCases {
            guard var scheduler = try? kind.makeScheduler(config: config) else { continue }
            for steps in [1, 2, 7, 50] {
                guard (try? scheduler.setTimesteps(steps)) != nil else { continue }
                _ = scheduler.initNoiseSigma
                for timestep in scheduler.timesteps {
                    _ = scheduler.modelTimestep(at: timestep)
                    _ = scheduler.scaleModelInput(sample, timestep: timestep)
                }
            }
        }
    }
}
