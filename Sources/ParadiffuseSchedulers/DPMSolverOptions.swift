import ParadiffuseLoading

/// Which DPM-Solver (`algorithm_type`): the data-prediction solvers (`++`, Lu et al. 2022b) are the ones to use
/// with guidance; `dpmsolver` is the original noise-prediction solver (Lu et al. 2022a), deprecated in diffusers.
public enum DPMSolverAlgorithm: String, Sendable, CaseIterable {
    case dpmSolverPlusPlus = "dpmsolver++"
    case dpmSolver = "dpmsolver"
    /// DPM-Solver++ for the reverse SDE: each step adds fresh noise.
    case sdeDPMSolverPlusPlus = "sde-dpmsolver++"

    /// Whether the model output is converted to x₀ (rather than to ε).
    var predictsData: Bool { self != .dpmSolver }

    /// The noise-predicting `dpmsolver` cannot end at σ = 0, as diffusers refuses.
    func check(_ finalSigmas: FinalSigmas, scheduler: String) throws {
        if !predictsData, finalSigmas == .zero {
            throw SchedulerError.invalidParameter(scheduler: scheduler, parameter: "final_sigmas_type", reason:
                "'zero' is not supported with 'algorithm_type' '\(rawValue)'; choose 'sigma_min'")
        }
    }
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

extension ConfigurationKey {
    /// The DPM-Solver keys this engine lacks, learned variances and a clipped λ, as errors naming the key. diffusers
    /// reads only the learned variance types here; DDPM's fixed_* values in a swapped config are ignored.
    static var rejectingUnsupportedDPMSolverKeys: Self {
        .check { config, scheduler in
            if let variance: String = try config.optionalValue("variance_type"), variance.hasPrefix("learned") {
                throw LoadingError.invalidConfigValue(config.url, key: "variance_type",
                                                      reason: "\(scheduler): '\(variance)' is not supported yet")
            }
            if let lambdaMin: Double = try config.optionalValue("lambda_min_clipped"), lambdaMin > -.infinity {
                throw LoadingError.invalidConfigValue(config.url, key: "lambda_min_clipped", reason:
                    "\(scheduler): \(lambdaMin) is not supported; only -inf is")
            }
        }
    }
}
