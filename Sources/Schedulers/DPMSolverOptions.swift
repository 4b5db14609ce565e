/// Which DPM-Solver (`algorithm_type`): the data-prediction solvers (`++`, Lu et al. 2022b) are the ones to use
/// with guidance; `dpmsolver` is the original noise-prediction solver (Lu et al. 2022a), deprecated in diffusers.
public enum DPMSolverAlgorithm: String, Sendable, CaseIterable {
    case dpmSolverPlusPlus = "dpmsolver++"
    case dpmSolver = "dpmsolver"
    /// DPM-Solver++ for the reverse SDE: each step adds fresh noise.
    case sdeDPMSolverPlusPlus = "sde-dpmsolver++"

    /// Whether the model output is converted to x₀ (rather than to ε).
    var predictsData: Bool { self != .dpmSolver }
}

/// How the second-order multistep update weighs the difference of model outputs (`solver_type`).
public enum DPMSolverType: String, Sendable, CaseIterable {
    case midpoint
    case heun
}

/// The σ after the last timestep (`final_sigmas_type`): 0, so the last step returns the predicted x₀, or the
/// smallest training σ.
public enum FinalSigmas: String, Sendable, CaseIterable {
    case zero
    case sigmaMin = "sigma_min"
}
