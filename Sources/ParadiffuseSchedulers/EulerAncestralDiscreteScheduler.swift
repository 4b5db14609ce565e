import Foundation
import ParadiffuseTensors

/// Ancestral sampling with Euler steps ("Euler a"), as diffusers' `EulerAncestralDiscreteScheduler` runs it: each
/// step takes an Euler step from σ down to σ_down and adds fresh noise of standard deviation σ_up, where
/// σ_up² = σ_next²·(σ² − σ_next²)/σ² is the DDPM posterior variance and σ_down² + σ_up² = σ_next².
///
/// Not a `ParallelScheduler`: every step adds new noise, so a run is an SDE; the noise could be pre-drawn, but the
/// parallel samplers' error test is tuned for the ODE and DDPM schedulers and Euler a is not part of them yet.
public struct EulerAncestralDiscreteScheduler: SigmaScheduler {
    public static let className = "EulerAncestralDiscreteScheduler"
    public static let supportedPredictionTypes: [PredictionType] = [.epsilon, .vPrediction]
    public static let readsZeroSNR = true

    /// `scheduler_config.json`, with diffusers' defaults.
    public struct Configuration: SigmaSchedulerConfiguration {
        public var noiseSchedule = NoiseSchedule.Configuration()
        public var predictionType = PredictionType.epsilon
        public var timestepPlacement = TimestepPlacement(.linspace)
        /// Euler a has no σ respacing.
        public var sigmaSpacing: SigmaSpacing { .timesteps }

        public init() {}

        public static var keys: [ConfigurationKey<Self>] {
            sigmaSchedulerKeys(of: EulerAncestralDiscreteScheduler.self)
        }
    }

    /// σ of each step, then 0.
    public private(set) var state: SigmaSchedulerState<Configuration>

    public init(state: SigmaSchedulerState<Configuration>) {
        self.state = state
    }

    public mutating func start(_ schedule: SigmaSchedule) {
        state.sigmas = schedule.sigmas
        state.modelTimesteps = schedule.timesteps.map { Float($0) }
    }

    public mutating func step(modelOutput: Tensor, timestep: Int, sample: Tensor,
                              noise: NoiseSource) throws -> Tensor {
        let index = try stepIndex(timestep, modelOutput: modelOutput, sample: sample)
        let sigma = sigmas[index]
        let (up, down) = SigmaParametrization.ancestralSigmas(from: sigma, to: sigmas[index + 1])
        let originalSample = SigmaParametrization.predictedOriginalSample(
            configuration.predictionType, modelOutput: modelOutput, sample: sample, sigmas: [sigma])
        let drift = SigmaParametrization.eulerStep(sample: sample, originalSample: originalSample, sigmas: [sigma],
                                                   steps: [down - sigma])
        let drawn = try draw(noise, like: sample)
        return drift.zipMap(drawn) { x, z in x + z * up }
    }
}
