import Foundation
import ParadiffuseLoading
import ParadiffuseSchedulers
import ParadiffuseTensors

/// One sampling run of a diffusers multistep scheduler, written by
/// Tools/fixtures/make_multistep_scheduler_fixtures.py: the scheduler_config.json it was built from, its
/// timesteps, every step's sample (each step continuing the history of the earlier ones), and the fake model.
struct MultistepSchedulerFixture: FixtureFolder, CustomStringConvertible {
    static let directory = SchedulerFixture.directory.appendingPathComponent("multistep")

    let name: String
    let config: JSONConfig
    let timesteps: [Int]
    let alphasCumprod: [Float]
    /// DPM-Solver's `sigmas` after `set_timesteps`.
    let sigmas: [Float]?
    /// x_T, then the output of every step.
    let samples: [Tensor]
    /// The noise each step drew (nil when no step drew).
    let noise: [Tensor]?
    let draws: [Bool]
    let fixedOutput: Tensor
    let seed: UInt64
    let stepCount: Int

    var description: String { name }

    init(_ name: String) throws {
        self.name = name
        config = try JSONConfig(url: Self.directory.appendingPathComponent("\(name).json"))
        let file = try SafetensorsFile(url: Self.directory.appendingPathComponent("\(name).safetensors"))
        timesteps = try file.tensor(named: "timesteps").scalars.map { Int($0) }
        alphasCumprod = try file.tensor(named: "alphas_cumprod").scalars
        sigmas = file.contains("sigmas") ? try file.tensor(named: "sigmas").scalars : nil
        samples = SchedulerFixture.unstacked(try file.tensor(named: "samples"))
        noise = file.contains("noise") ? SchedulerFixture.unstacked(try file.tensor(named: "noise")) : nil
        draws = try file.tensor(named: "draws").scalars.map { $0 == 1 }
        fixedOutput = try file.tensor(named: "fixed_output")
        seed = UInt64(file.metadata["seed"] ?? "") ?? 0
        stepCount = Int(file.metadata["num_inference_steps"] ?? "") ?? 0
    }

    /// The scheduler `makeScheduler(config:)` builds from the fixture's JSON, its timesteps set as the run set
    /// them.
    func makeScheduler() throws -> any Scheduler {
        var scheduler = try ParadiffuseSchedulers.makeScheduler(config: config)
        try scheduler.setTimesteps(stepCount)
        return scheduler
    }

    /// The fake model of the fixture script: `x · w(t) + e · u(t)` in float32.
    func modelOutput(_ sample: Tensor, timestep: Int) -> Tensor {
        let w = Float(Double(timestep + 500) / Double(timestep + 1000))
        let u = Float(1000 / Double(timestep + 1000))
        return sample * w + fixedOutput * u
    }

    /// Steps `scheduler` through the run from diffusers' own input samples (so that its history holds diffusers'
    /// model outputs), handing it the noise diffusers drew; returns the relative error of every step.
    func stepErrors(_ scheduler: inout any Scheduler) throws -> [(timestep: Int, error: Float, drewAsDiffusers: Bool)] {
        try timesteps.enumerated().map { index, timestep in
            let sample = samples[index]
            var drawnShapes: [[Int]] = []
            let output = try scheduler.step(modelOutput: modelOutput(sample, timestep: timestep), timestep: timestep,
                                            sample: sample) { shape in
                drawnShapes.append(shape)
                return noise?[index] ?? Tensor(zeros: shape)
            }
            let drewAsDiffusers = drawnShapes == (draws[index] ? [sample.shape] : [])
            return (timestep, relativeError(output, samples[index + 1]), drewAsDiffusers)
        }
    }
}
