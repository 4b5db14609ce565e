import ParadiffuseTensors

/// The k-diffusion parametrization the σ-based schedulers share: a sample at noise level σ is `x = x₀ + σ·ε`, and
/// the model sees `x / √(σ² + 1)`, which has the variance of a DDPM sample. Operations in diffusers' float32 order.
enum SigmaParametrization {
    /// The model input at noise level σ (diffusers' `scale_model_input`).
    static func scaledModelInput(_ sample: Tensor, sigma: Float) -> Tensor {
        let scale = (sigma * sigma + 1).squareRoot()
        return sample.map { $0 / scale }
    }

    /// x̂₀ from the model output for each batch item at its own σ (or all at one σ): `x − σ·ε̂` for ε,
    /// `v·(−σ/√(σ²+1)) + x/(σ²+1)` for v, the output itself for x₀.
    static func predictedOriginalSample(_ prediction: PredictionType, modelOutput: Tensor, sample: Tensor,
                                        sigmas: [Float]) -> Tensor {
        let sigmas = perItem(sigmas, batchSize: sample.batchSize)
        switch prediction {
        case .epsilon:
            return sample.zipMapItems(modelOutput) { item, x, epsilon in x - sigmas[item] * epsilon }
        case .vPrediction:
            let outputScales = sigmas.map { -$0 / ($0 * $0 + 1).squareRoot() }
            let sampleDivisors = sigmas.map { $0 * $0 + 1 }
            return modelOutput.zipMapItems(sample) { item, v, x in v * outputScales[item] + x / sampleDivisors[item] }
        case .sample:
            return modelOutput
        }
    }

    /// `x + (x − x̂₀)/σ · Δσ` for each item (or all at one σ): an Euler step of the probability-flow ODE
    /// dx/dσ = (x − x̂₀)/σ.
    static func eulerStep(sample: Tensor, originalSample: Tensor, sigmas: [Float], steps: [Float]) -> Tensor {
        let sigmas = perItem(sigmas, batchSize: sample.batchSize), steps = perItem(steps, batchSize: sample.batchSize)
        return sample.zipMapItems(originalSample) { item, x, x0 in
            let derivative = (x - x0) / sigmas[item]
            return x + derivative * steps[item]
        }
    }

    /// The noise levels of an ancestral step from σ to σ_next: fresh noise σ_up, with σ_up² = σ_next²·(σ² − σ_next²)/σ²
    /// the DDPM posterior variance, and σ_down with σ_down² + σ_up² = σ_next², the level the step's drift reaches.
    static func ancestralSigmas(from sigma: Float, to next: Float) -> (up: Float, down: Float) {
        let up = (next * next * (sigma * sigma - next * next) / (sigma * sigma)).squareRoot()
        return (up, (next * next - up * up).squareRoot())
    }

    /// `values` with one entry per batch item: a single value is repeated.
    static func perItem(_ values: [Float], batchSize: Int) -> [Float] {
        values.count == 1 ? Array(repeating: values[0], count: batchSize) : values
    }

    /// diffusers' sigma schedulers' `add_noise`: `x₀ + ε·σ` at each item's σ.
    static func addNoise(original: Tensor, noise: Tensor, sigmas: [Float], scheduler: String) throws -> Tensor {
        guard noise.shape == original.shape, noise.layout == original.layout else {
            throw SchedulerError.shapeMismatch(scheduler: scheduler, parameter: "noise", shape: noise.shape,
                                               expected: "the shape of the original samples, \(original.shape)")
        }
        return original.zipMapItems(noise) { item, x0, epsilon in x0 + epsilon * sigmas[item] }
    }

    /// The position `key` in a schedule of `count` entries, or an error naming `scheduler`.
    static func checkedKey(_ key: Int, count: Int, scheduler: String) throws -> Int {
        guard count > 0 else { throw SchedulerError.timestepsNotSet(scheduler: scheduler) }
        guard (0..<count).contains(key) else {
            throw SchedulerError.timestepNotInSchedule(scheduler: scheduler, timestep: key)
        }
        return key
    }

    /// One step key per batch item (a single key for the whole batch is repeated), each checked.
    static func checkedKeys(_ keys: [Int], batchSize: Int, count: Int, scheduler: String) throws -> [Int] {
        try timestepsPerItem(keys, batchSize: batchSize, scheduler: scheduler).map {
            try checkedKey($0, count: count, scheduler: scheduler)
        }
    }

    /// A model output or noise tensor shaped like the sample, or an error naming `parameter`.
    static func checkShape(of tensor: Tensor, _ parameter: String, against sample: Tensor, scheduler: String) throws {
        guard tensor.shape == sample.shape, tensor.layout == sample.layout else {
            throw SchedulerError.shapeMismatch(scheduler: scheduler, parameter: parameter, shape: tensor.shape,
                                               expected: "the sample's \(sample.shape)")
        }
    }
}
