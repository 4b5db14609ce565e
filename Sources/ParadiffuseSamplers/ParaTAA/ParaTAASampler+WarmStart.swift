import ParadiffuseTensors

extension ParaTAASampler {
    /// The trajectory a run starts from: x_T alone, or the warm start (see `variationSteps`).
    func startingTrajectory(_ latents: Tensor, stepCount: Int) throws -> ParaTAATrajectory {
        guard let initialTrajectory else { return ParaTAATrajectory(start: latents) }
        try require(initialTrajectory.count == stepCount + 1, "initialTrajectory",
                    "holds \(initialTrajectory.count) latents; \(stepCount) steps need \(stepCount + 1) "
                        + "(before each step and after the last)")
        for (index, entry) in initialTrajectory.enumerated() {
            try require(entry.shape == latents.shape && entry.layout == latents.layout, "initialTrajectory",
                        "entry \(index) is \(entry), the latents are \(latents)")
        }
        let recomputed = variationSteps ?? stepCount
        try require(recomputed <= stepCount, "variationSteps",
                    "is \(recomputed) but the scheduler has only \(stepCount) steps")
        return ParaTAATrajectory(warmStart: initialTrajectory, convergedSteps: stepCount - recomputed)
    }
}
