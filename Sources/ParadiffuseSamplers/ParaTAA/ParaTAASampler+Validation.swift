extension ParaTAASampler {
    func validateParameters() throws {
        try require(window >= 1, "window", "must be at least 1, got \(window)")
        try require(order >= 1, "order", "must be at least 1, got \(order)")
        try require(order <= window, "order", "\(order) cannot exceed the window \(window)")
        try require(memory >= 1, "memory", "must be at least 1 (1 turns acceleration off), got \(memory)")
        for (name, value) in [("regularization", regularization), ("absoluteTolerance", absoluteTolerance),
                              ("noiseTolerance", noiseTolerance)] {
            try require(value >= 0 && value.isFinite, name, "must be a finite number ≥ 0, got \(value)")
        }
        if let maxIterations {
            try require(maxIterations >= 1, "maxIterations", "must be at least 1, got \(maxIterations)")
        }
        if let variationSteps {
            try require(initialTrajectory != nil, "variationSteps", "needs an initialTrajectory to start from")
            try require(variationSteps >= 1, "variationSteps", "must be at least 1, got \(variationSteps)")
        }
    }

    func require(_ condition: Bool, _ parameter: String, _ reason: @autoclosure () -> String) throws {
        guard condition else { throw ParaTAAError.invalidParameter(parameter: parameter, reason: reason()) }
    }
}
