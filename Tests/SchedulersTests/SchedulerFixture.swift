import Foundation
import ParadiffuseLoading
import ParadiffuseSchedulers
import ParadiffuseTensors

/// One sampling run of diffusers' DDPM or DDIM, written by Tools/fixtures/make_scheduler_fixtures.py: the
/// scheduler_config.json it was built from, its timesteps, every step's sample and noise, and the fake model.
struct SchedulerFixture: CustomStringConvertible {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/Fixtures/schedulers")

    static let ddpmCases = [
        "ddpm_default", "ddpm_scaled_linear_v_trailing", "ddpm_cosine_sample_linspace", "ddpm_thresholding",
        "ddpm_thresholding_v_max_below_one", "ddpm_fixed_small_log_offset", "ddpm_fixed_large", "ddpm_learned",
        "ddpm_learned_range", "ddpm_trained_betas", "ddpm_zero_snr", "ddpm_sigmoid", "ddpm_laplace",
        "ddpm_custom_timesteps", "ddpm_50_steps", "ddpm_parallel_class_foreign_keys",
    ]
    static let ddimCases = [
        "ddim_default", "ddim_stable_diffusion", "ddim_v_trailing_zero_snr", "ddim_cosine_sample_linspace",
        "ddim_eta_one", "ddim_eta_half_clipped_output", "ddim_thresholding_v", "ddim_thresholding_clipped_output_eta",
        "ddim_trained_betas_trailing", "ddim_50_steps", "ddim_parallel_class_trailing",
    ]
    static let allCases = ddpmCases + ddimCases

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    let name: String
    let config: JSONConfig
    let timesteps: [Int]
    let alphasCumprod: [Float]
    /// x_T, then the output of every step.
    let samples: [Tensor]
    /// The noise each step drew (zeros where it drew none).
    let noise: [Tensor]
    let draws: [Bool]
    let fixedOutput: Tensor
    let varianceOutput: Tensor?
    let options: StepOptions
    let seed: UInt64
    let customTimesteps: [Int]?
    let stepCount: Int

    var description: String { name }

    init(_ name: String) throws {
        self.name = name
        config = try JSONConfig(url: Self.url("\(name).json"))
        let file = try SafetensorsFile(url: Self.url("\(name).safetensors"))
        timesteps = try file.tensor(named: "timesteps").scalars.map { Int($0) }
        alphasCumprod = try file.tensor(named: "alphas_cumprod").scalars
        samples = Self.unstacked(try file.tensor(named: "samples"))
        noise = Self.unstacked(try file.tensor(named: "noise"))
        draws = try file.tensor(named: "draws").scalars.map { $0 == 1 }
        fixedOutput = try file.tensor(named: "fixed_output")
        varianceOutput = file.contains("variance_output") ? try file.tensor(named: "variance_output") : nil
        let metadata = file.metadata
        options = StepOptions(eta: Double(metadata["eta"] ?? "") ?? 0,
                              useClippedModelOutput: metadata["use_clipped_model_output"] == "true")
        seed = UInt64(metadata["seed"] ?? "") ?? 0
        stepCount = Int(metadata["num_inference_steps"] ?? "") ?? 0
        customTimesteps = metadata["custom_timesteps"].map { $0.split(separator: ",").compactMap { Int($0) } }
    }

    /// The scheduler `from_config` builds from the fixture's JSON, its timesteps set as the run set them.
    /// A config of another class (Stable Diffusion's PNDM) is read as DDIM, like `DDIMScheduler.from_config`.
    func makeScheduler() throws -> any ParallelScheduler {
        let built = config.className == "PNDMScheduler"
            ? try SchedulerKind.ddim.makeScheduler(config: config, options: options)
            : try ParadiffuseSchedulers.makeScheduler(config: config, options: options)
        if let customTimesteps, var ddpm = built as? DDPMScheduler {
            try ddpm.setTimesteps(custom: customTimesteps)
            return ddpm
        }
        guard var scheduler = built as? any ParallelScheduler else {
            throw FixtureError.notParallel(name)
        }
        try scheduler.setTimesteps(stepCount)
        return scheduler
    }

    /// The fake model of the fixture script: `x · w(t) + e · u(t)` in float32, the learned variance appended as
    /// the second half of the channels.
    func modelOutput(_ sample: Tensor, timestep: Int) -> Tensor {
        let w = Float(Double(timestep + 500) / Double(timestep + 1000))
        let u = Float(1000 / Double(timestep + 1000))
        let output = sample * w + fixedOutput * u
        guard let varianceOutput else { return output }
        return Self.concatenatingChannels(output, varianceOutput)
    }

    /// The rows of a stacked `[steps, N, ...]` tensor.
    static func unstacked(_ stacked: Tensor) -> [Tensor] {
        let itemShape = Array(stacked.shape.dropFirst())
        let batch = itemShape[0]
        let flat = stacked.reshaped([stacked.shape[0] * batch] + itemShape.dropFirst())
        return (0..<stacked.shape[0]).map { flat.batchItems($0 * batch..<($0 + 1) * batch) }
    }

    static func concatenatingChannels(_ first: Tensor, _ second: Tensor) -> Tensor {
        let itemCount = first.count / first.batchSize
        let left = first.scalars, right = second.scalars
        var scalars: [Float] = []
        for item in 0..<first.batchSize {
            scalars += left[item * itemCount..<(item + 1) * itemCount]
            scalars += right[item * itemCount..<(item + 1) * itemCount]
        }
        var shape = first.shape
        shape[1] *= 2
        return Tensor(shape: shape, scalars: scalars)
    }

    enum FixtureError: Error {
        case notParallel(String)
    }
}

/// Largest absolute difference relative to the expected values' scale (at least 1); infinite when the shapes
/// differ or either side holds a NaN, so that no comparison passes by accident.
func relativeError(_ actual: Tensor, _ expected: Tensor) -> Float {
    guard actual.shape == expected.shape else { return .infinity }
    let actualValues = actual.scalars, expectedValues = expected.scalars
    guard !actualValues.contains(where: \.isNaN), !expectedValues.contains(where: \.isNaN) else { return .infinity }
    return actual.maxAbsDifference(expected) / max(expected.maxAbs, 1)
}
