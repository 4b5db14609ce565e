import Foundation
import ParadiffuseLoading
import ParadiffuseSchedulers
import ParadiffuseTensors

/// One sampling run of a diffusers sigma-based scheduler (Euler, Euler a, Heun, LMS, KDPM2, KDPM2 a), written by
/// Tools/fixtures/make_sigma_scheduler_fixtures.py: the scheduler_config.json it was built from, its timesteps and
/// σ, every model input and every step's output, the noise each step drew, and the fake model.
struct SigmaSchedulerFixture: FixtureFolder, CustomStringConvertible {
    static let directory = SchedulerFixture.directory.appendingPathComponent("sigma")

    let name: String
    let config: JSONConfig
    /// diffusers' `timesteps`, one per step key.
    let timesteps: [Float]
    let sigmas: [Float]
    let initNoiseSigma: Float
    /// x_T, then the output of every step.
    let samples: [Tensor]
    /// `scale_model_input` at every step.
    let scaled: [Tensor]
    /// The noise each step drew (nil when no step drew).
    let noise: [Tensor]?
    let draws: [Bool]
    let fixedOutput: Tensor
    let seed: UInt64
    let stepCount: Int
    /// Euler's churn arguments, where the run passed them.
    let churn: EulerDiscreteScheduler.Churn?

    var description: String { name }

    init(_ name: String) throws {
        self.name = name
        config = try JSONConfig(url: Self.directory.appendingPathComponent("\(name).json"))
        let file = try SafetensorsFile(url: Self.directory.appendingPathComponent("\(name).safetensors"))
        timesteps = try file.tensor(named: "timesteps").scalars
        sigmas = try file.tensor(named: "sigmas").scalars
        initNoiseSigma = try file.tensor(named: "init_noise_sigma").scalars[0]
        samples = SchedulerFixture.unstacked(try file.tensor(named: "samples"))
        scaled = SchedulerFixture.unstacked(try file.tensor(named: "scaled"))
        noise = file.contains("noise") ? SchedulerFixture.unstacked(try file.tensor(named: "noise")) : nil
        draws = try file.tensor(named: "draws").scalars.map { $0 == 1 }
        fixedOutput = try file.tensor(named: "fixed_output")
        let metadata = file.metadata
        seed = UInt64(metadata["seed"] ?? "") ?? 0
        stepCount = Int(metadata["num_inference_steps"] ?? "") ?? 0
        churn = metadata["s_churn"].flatMap(Double.init).map { sChurn in
            EulerDiscreteScheduler.Churn(sChurn: sChurn, sTmin: metadata["s_tmin"].flatMap(Double.init) ?? 0,
                                         sTmax: metadata["s_tmax"].flatMap(Double.init) ?? .infinity,
                                         sNoise: metadata["s_noise"].flatMap(Double.init) ?? 1)
        }
    }

    /// The scheduler `makeScheduler(config:)` builds from the fixture's JSON (with the run's churn for Euler), its
    /// timesteps set as the run set them.
    func makeScheduler() throws -> any Scheduler {
        var scheduler: any Scheduler = try churn.map { try EulerDiscreteScheduler(config: config, churn: $0) }
            ?? ParadiffuseSchedulers.makeScheduler(config: config)
        try scheduler.setTimesteps(stepCount)
        return scheduler
    }

    /// The fake model of the fixture script: `x · w(t) + e · u(t)` in float32.
    func modelOutput(_ input: Tensor, timestep: Float) -> Tensor {
        let t = Double(timestep)
        return input * Float((t + 500) / (t + 1000)) + fixedOutput * Float(1000 / (t + 1000))
    }

    /// Steps `scheduler` through the run from diffusers' own samples (so that its state holds diffusers' values),
    /// handing it the noise diffusers drew: the relative error of every model input and step output.
    func stepErrors(_ scheduler: inout any Scheduler)
        throws -> [(key: Int, inputError: Float, stepError: Float, drewAsDiffusers: Bool)] {
        try scheduler.timesteps.map { key in
            let sample = samples[key]
            let input = scheduler.scaleModelInput(sample, timestep: key)
            var drawnShapes: [[Int]] = []
            let output = try scheduler.step(modelOutput: modelOutput(scaled[key], timestep: timesteps[key]),
                                            timestep: key, sample: sample) { shape in
                drawnShapes.append(shape)
                return noise?[key] ?? Tensor(zeros: shape)
            }
            return (key, relativeError(input, scaled[key]), relativeError(output, samples[key + 1]),
                    drawnShapes == (draws[key] ? [sample.shape] : []))
        }
    }

    /// The whole run from x_T on the scheduler's own outputs and model timesteps, its noise from a
    /// `TorchGenerator` seeded as diffusers' generator: the relative error after every step.
    func trajectoryErrors(_ scheduler: inout any Scheduler) throws -> [Float] {
        var generator = TorchGenerator(seed: seed)
        var sample = samples[0]
        return try scheduler.timesteps.map { key in
            let input = scheduler.scaleModelInput(sample, timestep: key)
            sample = try scheduler.step(modelOutput: modelOutput(input, timestep: scheduler.modelTimestep(at: key)),
                                        timestep: key, sample: sample) { generator.randn($0) }
            return relativeError(sample, samples[key + 1])
        }
    }
}

/// `schedules.safetensors` and `add_noise.safetensors` of the sigma fixture folder.
enum SigmaScheduleLists {
    static let spacings: [(name: String, config: [String: JSONValue])] = [
        ("linspace", [:]),
        ("leading_offset1", ["timestep_spacing": .string("leading"), "steps_offset": .number(1)]),
        ("trailing", ["timestep_spacing": .string("trailing")]),
        ("karras", ["use_karras_sigmas": .bool(true)]),
    ]
    static let counts = [1, 2, 7, 30, 61]
    static let stableDiffusionBetas: [String: JSONValue] = [
        "beta_schedule": .string("scaled_linear"), "beta_start": .number(0.00085), "beta_end": .number(0.012),
    ]

    static let schedules = try? SafetensorsFile(url: SigmaSchedulerFixture.directory
        .appendingPathComponent("schedules.safetensors"))
    static let addNoise = try? SafetensorsFile(url: SigmaSchedulerFixture.directory
        .appendingPathComponent("add_noise.safetensors"))

    /// A scheduler of `kind` on Stable Diffusion's betas with `extra` keys, built as `from_config` builds it.
    static func scheduler(_ kind: SchedulerKind, _ extra: [String: JSONValue] = [:]) throws -> any Scheduler {
        let values = stableDiffusionBetas.merging(extra) { $1 }
        return try kind.makeScheduler(config: JSONConfig(values: values, url: URL(fileURLWithPath: "test.json")))
    }

    /// Whether building `kind` from `values` fails with an error that mentions every one of `words`.
    static func isRejected(_ kind: SchedulerKind, _ values: [String: JSONValue], mentioning words: [String]) -> Bool {
        do {
            _ = try scheduler(kind, values)
            return false
        } catch {
            return words.allSatisfy { "\(error)".contains($0) }
        }
    }

    /// Largest difference of two float lists relative to the larger magnitude (at least 1); infinite when their
    /// lengths differ or a NaN is involved.
    static func difference(_ actual: [Float], _ expected: [Float]) -> Float {
        guard actual.count == expected.count else { return .infinity }
        return zip(actual, expected).map { a, e in
            a.isNaN || e.isNaN ? .infinity : abs(a - e) / max(abs(e), 1)
        }.max() ?? 0
    }
}
