import ParadiffuseSchedulers
import ParadiffuseTensors

/// Sampling as ParaTAA's triangular nonlinear system of order k (Tang et al. 2024, §3): with Φ_p the step p,
/// `Φ_p(y) = F(y, ε_p, t_p) + σ_p·z_p`, whose model output `ε_p = ε(x_p, t_p)` is held at the current iterate,
/// each entry is expressed from the one k steps earlier,
///
///     x_{n+1} = Φ_n ∘ Φ_{n−1} ∘ … ∘ Φ_{n+1−k}(x_{n+1−k}),
///
/// and the window's first entry stands in for entries before the window. F is the scheduler's noise-free
/// transition, so for DDIM without clipping the composition is the reference's linear form
/// `coeff_x_mat·x + coeff_d_mat·ε + nl_mat·z` (parallel_sd.py, `compute_ho_residual`), and it extends to clipped
/// or thresholded x̂₀ and to every `ParallelScheduler`.
///
/// All noise is drawn when the system is made, one tensor shaped like the latents per step that draws, in
/// timestep order: the draws the sequential sampler makes, so a seed gives its result.
struct TriangularSystem {
    let scheduler: any ParallelScheduler
    let order: Int
    let imageCount: Int
    private let noise: [(scale: Float, standardNormal: Tensor)?]

    init(scheduler: any ParallelScheduler, order: Int, latents: Tensor, noise source: NoiseSource) throws {
        self.scheduler = scheduler
        self.order = order
        imageCount = latents.batchSize
        noise = try scheduler.timesteps.map { timestep in
            guard scheduler.drawsNoise(at: timestep) else { return nil }
            let standardNormal = source(latents.shape)
            guard standardNormal.shape == latents.shape, standardNormal.layout == latents.layout else {
                throw ParaTAAError.invalidParameter(
                    parameter: "noise", reason: "gave a tensor of shape \(standardNormal.shape) for latents \(latents)")
            }
            return (try scheduler.noiseScale(at: timestep), standardNormal)
        }
    }

    var timesteps: [Int] { scheduler.timesteps }

    /// Φ_p(samples[i]) for the steps p = `steps[i]`, with model outputs `outputs[i]`: one batched transition.
    func apply(steps: [Int], to samples: [Tensor], outputs: [Tensor]) throws -> [Tensor] {
        let means = try scheduler.transitionWithoutNoise(
            modelOutput: Tensor.concatenatingBatches(outputs), sample: Tensor.concatenatingBatches(samples),
            timesteps: steps.flatMap { Array(repeating: timesteps[$0], count: imageCount) })
        return steps.enumerated().map { index, step in
            let mean = means.batchItems(index * imageCount..<(index + 1) * imageCount)
            guard let (scale, standardNormal) = noise[step] else { return mean }
            return mean.zipMap(standardNormal) { mean, z in mean + scale * z }
        }
    }

    /// The right-hand sides of the order-k equations for the steps of `window`, given the one-step results
    /// `firstOrder[w] = Φ_{window[w]}(x_{window[w]})` and the model outputs at the window's entries.
    func orderKValues(window: Range<Int>, firstOrder: [Tensor], outputs: [Tensor]) throws -> [Tensor] {
        let effectiveOrder = min(order, window.count)
        let anchors = (0..<window.count).map { max($0 + 1 - effectiveOrder, 0) }
        var values = anchors.map { firstOrder[$0] }
        for round in 1..<effectiveOrder {
            let active = values.indices.filter { anchors[$0] + round <= $0 }
            let positions = active.map { anchors[$0] + round }
            let stepped = try apply(steps: positions.map { window.lowerBound + $0 }, to: active.map { values[$0] },
                                    outputs: positions.map { outputs[$0] })
            for (position, value) in zip(active, stepped) { values[position] = value }
        }
        return values
    }
}
