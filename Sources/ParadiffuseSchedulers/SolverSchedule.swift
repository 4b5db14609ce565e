import Foundation
import ParadiffuseTensors

/// The run of a solver in log-SNR time (DPM-Solver, UniPC, DEIS): its timesteps and the noise level
/// σ = √((1 − ᾱ)/ᾱ) of each, as diffusers' `set_timesteps` computes them (the final σ after the last step is each
/// scheduler's own choice).
struct SolverSchedule {
    /// How the fractional training timesteps of Karras σ become integer timesteps.
    enum KarrasTimesteps {
        /// `numpy.round`, to nearest even.
        case rounded
        /// `astype(int64)`, toward zero (DPM-Solver multistep with the cosine schedule).
        case truncated
    }

    let timesteps: [Int]
    /// σ at each timestep.
    let sigmas: [Float]
    /// σ of every training timestep, ascending.
    let trainingSigmas: [Float]

    /// `count` steps out of the schedule of `alphasCumprod`, spaced by `spacing` or, with `karras`, at Karras σ.
    init(count: Int, alphasCumprod: [Float], spacing: TimestepSpacing, stepsOffset: Int, karras: KarrasTimesteps?,
         scheduler: String) throws {
        let trainTimesteps = alphasCumprod.count
        try TimestepSpacing.checkCount(count, trainTimesteps: trainTimesteps, scheduler: scheduler)
        let trainingSigmas = alphasCumprod.map { ((1 - $0) / $0).squareRoot() }
        self.trainingSigmas = trainingSigmas
        if let karras {
            let logSigmas = trainingSigmas.map { log($0) }
            let karrasSigmas = KarrasSigmas.sigmas(count: count, minimum: Double(trainingSigmas[0]),
                                                   maximum: Double(trainingSigmas[trainTimesteps - 1]))
            timesteps = karrasSigmas.map { sigma in
                let timestep = KarrasSigmas.timestep(of: sigma, logSigmas: logSigmas)
                return Int(karras == .rounded ? timestep.rounded(.toNearestOrEven) : timestep)
            }
            sigmas = karrasSigmas.map { Float($0) }
        } else {
            timesteps = try Self.spacedTimesteps(count: count, trainTimesteps: trainTimesteps, spacing: spacing,
                                                 stepsOffset: stepsOffset, scheduler: scheduler)
            sigmas = timesteps.map { trainingSigmas[max($0, 0)] }
        }
    }

    /// diffusers spaces `count + 1` timesteps and drops the last for `linspace` and `leading`.
    private static func spacedTimesteps(count: Int, trainTimesteps: Int, spacing: TimestepSpacing, stepsOffset: Int,
                                        scheduler: String) throws -> [Int] {
        guard spacing != .trailing else {
            // Kept as diffusers keeps it: a final −1 that NumPy's `arange` gives some counts (61 of 1000), whose
            // σ is σ(0), as `numpy.interp` clamps.
            return spacing.positions(count: count, trainTimesteps: trainTimesteps, stepsOffset: stepsOffset)
                .map { Int($0.rounded(.toNearestOrEven)) }
        }
        let spaced = spacing.positions(count: count + 1, trainTimesteps: trainTimesteps, stepsOffset: stepsOffset)
            .dropLast().map { Int($0.rounded(.toNearestOrEven)) }
        if let outside = spaced.first(where: { !(0..<trainTimesteps).contains($0) }) {
            throw SchedulerError.invalidParameter(scheduler: scheduler, parameter: "steps_offset", reason:
                "\(stepsOffset) moves timestep \(outside) outside the training schedule 0..<\(trainTimesteps)")
        }
        return spaced
    }

    /// diffusers' `index_for_timestep`: the second of two equal timesteps (so that a run started in the middle
    /// does not skip a σ), the last step for a timestep not in the run.
    static func index(of timestep: Int, in timesteps: [Int]) -> Int {
        let matches = timesteps.indices.filter { timesteps[$0] == timestep }
        return matches.count > 1 ? matches[1] : matches.first ?? timesteps.count - 1
    }

    /// diffusers' `add_noise` of the λ-based solvers: `α·x₀ + σ·ε` at the σ of each item's timestep in the run.
    static func addNoise(original: Tensor, noise: Tensor, timesteps: [Int], run: [Int], sigmas: [Float],
                         scheduler: String) throws -> Tensor {
        guard !sigmas.isEmpty else { throw SchedulerError.timestepsNotSet(scheduler: scheduler) }
        guard noise.shape == original.shape, noise.layout == original.layout else {
            throw SchedulerError.shapeMismatch(scheduler: scheduler, parameter: "noise", shape: noise.shape,
                                               expected: "the shape of the original samples, \(original.shape)")
        }
        let itemTimesteps = try timestepsPerItem(timesteps, batchSize: original.batchSize, scheduler: scheduler)
        let levels = itemTimesteps.map { NoiseLevel(sigmas[index(of: $0, in: run)]) }
        return original.zipMapItems(noise) { item, sample, noise in
            levels[item].alpha * sample + levels[item].sigma * noise
        }
    }

    /// The step index of `timestep` (diffusers' `_init_step_index` on the first step, its counter after), checking
    /// that the run's σ are set and the model output has the sample's shape.
    static func stepIndex(_ stepIndex: Int?, timestep: Int, run: [Int], sigmas: [Float], modelOutput: Tensor,
                          sample: Tensor, scheduler: String) throws -> Int {
        guard !sigmas.isEmpty else { throw SchedulerError.timestepsNotSet(scheduler: scheduler) }
        guard modelOutput.shape == sample.shape, modelOutput.layout == sample.layout else {
            throw SchedulerError.shapeMismatch(scheduler: scheduler, parameter: "model_output",
                                               shape: modelOutput.shape, expected: "the sample's \(sample.shape)")
        }
        let index = stepIndex ?? Self.index(of: timestep, in: run)
        guard index < run.count else {
            throw SchedulerError.invalidParameter(scheduler: scheduler, parameter: "timestep", reason:
                "\(timestep) comes after the last of the \(run.count) steps; call setTimesteps again")
        }
        return index
    }

    /// Noise of the sample's shape from `noise`, or an error naming `scheduler` when the source gives another
    /// shape.
    static func draw(_ noise: NoiseSource, like sample: Tensor, scheduler: String) throws -> Tensor {
        let drawn = noise(sample.shape)
        guard drawn.shape == sample.shape, drawn.layout == sample.layout else {
            throw SchedulerError.shapeMismatch(scheduler: scheduler, parameter: "noise", shape: drawn.shape,
                                               expected: "the sample's \(sample.shape)")
        }
        return drawn
    }
}
