import ParadiffuseTensors

/// One ParaTAA iteration over a window of steps (`prepare_model_kwargs`, `step` and `taa_step` of the reference):
/// a batched denoiser call, the convergence test on one-step residuals, and the order-k update, accelerated
/// after the earliest unconverged step.
struct ParaTAAIteration {
    let system: TriangularSystem
    let denoiser: Denoiser
    var anderson: TriangularAnderson
    /// Per step, the residual RMS at or below which it has converged.
    let tolerances: [Double]

    /// Updates `trajectory` for `steps` and advances its converged steps; returns the one-step residual RMS of
    /// each step and image before the update.
    mutating func run(steps: Range<Int>, on trajectory: inout ParaTAATrajectory) throws -> [[Double]] {
        trajectory.initializeEntries(through: steps.upperBound)
        let inputs = steps.map(trajectory.tensor(at:))
        let outputs = try modelOutputs(inputs, steps: steps)
        let firstOrder = try system.apply(steps: Array(steps), to: inputs, outputs: outputs)
        let residualNorms = zip(steps, firstOrder).map { step, value in
            let residual = LatentVector(value) - trajectory[step + 1]
            return (0..<residual.imageCount).map(residual.rootMeanSquare(image:))
        }
        let firstUnconverged = residualNorms.indices.first { position in
            residualNorms[position].contains { $0 > tolerances[steps.lowerBound + position] }
        }

        let orderK = try system.orderKValues(window: steps, firstOrder: firstOrder, outputs: outputs)
        let residuals = zip(steps, orderK).map { step, value in LatentVector(value) - trajectory[step + 1] }
        for (step, residual) in zip(steps, residuals) {
            anderson.record(step: step, entry: trajectory[step + 1], residual: residual)
        }
        let corrections = firstUnconverged.map { anderson.corrections(window: steps, residuals: residuals, after: $0) }
            ?? Array(repeating: nil, count: steps.count)
        for (position, step) in steps.enumerated() {
            trajectory.update(step + 1, residual: residuals[position], correction: corrections[position])
        }
        trajectory.convergedSteps = firstUnconverged.map { steps.lowerBound + $0 + 1 } ?? steps.upperBound
        anderson.forgetSteps(before: trajectory.convergedSteps)
        return residualNorms
    }

    /// The model outputs at `inputs`, entry `steps[w]` at its step's timestep: one denoiser call.
    private func modelOutputs(_ inputs: [Tensor], steps: Range<Int>) throws -> [Tensor] {
        let images = system.imageCount
        let timesteps = steps.map { system.timesteps[$0] }
        let scaled = zip(inputs, timesteps).map { system.scheduler.scaleModelInput($0, timestep: $1) }
        let output = try denoiser.denoiseFinite(Tensor.concatenatingBatches(scaled),
                                                timesteps: timesteps.flatMap {
                                                    Array(repeating: system.scheduler.modelTimestep(at: $0), count: images)
                                                })
        guard output.batchSize == inputs.count * images else {
            throw ParaTAAError.invalidParameter(
                parameter: "denoiser",
                reason: "returned \(output.batchSize) outputs for a batch of \(inputs.count * images)")
        }
        return inputs.indices.map { output.batchItems($0 * images..<($0 + 1) * images) }
    }
}
