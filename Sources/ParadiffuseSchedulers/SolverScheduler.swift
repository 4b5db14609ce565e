import ParadiffuseTensors

/// What the exponential-integrator solvers (DPM-Solver multistep and singlestep, UniPC, DEIS) share besides their
/// configuration: steps keyed by training timestep, the model input unscaled, initial noise of standard deviation
/// 1, and `add_noise` at the σ of each item's timestep in the run.
public protocol SolverScheduler: ConfiguredScheduler {
    /// σ = √((1 − ᾱ)/ᾱ) at each timestep of the run, then the final σ.
    var sigmas: [Float] { get }
}

extension SolverScheduler {
    public var initNoiseSigma: Float { 1 }

    public func scaleModelInput(_ sample: Tensor, timestep: Int) -> Tensor { sample }

    /// diffusers' `add_noise`: `α·x₀ + σ·ε` at the σ of each item's timestep in the run.
    public func addNoise(original: Tensor, noise: Tensor, timesteps: [Int]) throws -> Tensor {
        try SolverSchedule.addNoise(original: original, noise: noise, timesteps: timesteps, run: self.timesteps,
                                    sigmas: sigmas, scheduler: Self.className)
    }
}
