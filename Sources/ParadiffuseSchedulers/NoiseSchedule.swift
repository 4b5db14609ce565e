import Foundation
import ParadiffuseLoading
import ParadiffuseTensors

/// The training-time noise schedule of a discrete-time diffusion model: its betas and the cumulative products
/// ᾱ_t of 1 − β, as float32 values equal to diffusers' `alphas_cumprod`.
public struct NoiseSchedule: Sendable, Equatable {
    /// The `scheduler_config.json` keys that define the schedule, with diffusers' defaults.
    public struct Configuration: ConfigurationKeys, Sendable, Equatable {
        public var numTrainTimesteps = 1000
        public var betaStart = 0.0001
        public var betaEnd = 0.02
        public var betaSchedule = BetaSchedule.linear
        /// Betas given outright (`trained_betas`), replacing `beta_start`, `beta_end` and `beta_schedule`.
        public var trainedBetas: [Double]?
        /// Rescale to zero terminal SNR (`rescale_betas_zero_snr`); pair it with v-prediction.
        public var rescaleBetasZeroSNR = false

        public init() {}

        public static var keys: [ConfigurationKey<Self>] { keys(supported: BetaSchedule.allCases) }

        /// The schedule keys, a `beta_schedule` outside `supported` an error; `rescale_betas_zero_snr` only for the
        /// schedulers that read it.
        static func keys(supported: [BetaSchedule], readsZeroSNR: Bool = true) -> [ConfigurationKey<Self>] {
            let betaSchedule = ConfigurationKey<Self> { schedule, config, scheduler in
                // As in diffusers, trained betas make the schedule's name irrelevant.
                schedule.betaSchedule = try config.choice(
                    "beta_schedule", default: schedule.betaSchedule,
                    among: schedule.trainedBetas == nil ? supported : BetaSchedule.allCases, for: scheduler)
            }
            return [.value("num_train_timesteps", \.numTrainTimesteps), .value("beta_start", \.betaStart),
                    .value("beta_end", \.betaEnd), .optional("trained_betas", \.trainedBetas), betaSchedule]
                + (readsZeroSNR ? [.value("rescale_betas_zero_snr", \.rescaleBetasZeroSNR)] : [])
        }
    }

    public let configuration: Configuration
    public let betas: [Float]
    /// ᾱ_t for t in 0..<numTrainTimesteps (diffusers' `alphas_cumprod`).
    public let alphasCumprod: [Float]

    public var numTrainTimesteps: Int { configuration.numTrainTimesteps }

    /// Far beyond any trained schedule (diffusers' models use 1,000; a few 4,000), small enough to allocate.
    static let maximumTrainTimesteps = 1_000_000

    /// ᾱ_t as diffusers' σ-based and log-SNR schedulers use it: with zero terminal SNR the last value is 2⁻²⁴ rather
    /// than 0, so that the last σ stays finite.
    var alphasCumprodWithFiniteSigmas: [Float] {
        guard configuration.rescaleBetasZeroSNR else { return alphasCumprod }
        var floored = alphasCumprod
        floored[floored.count - 1] = 0x1p-24
        return floored
    }

    init(_ configuration: Configuration, supported: [BetaSchedule], scheduler: String) throws {
        let count = configuration.numTrainTimesteps
        guard (1...Self.maximumTrainTimesteps).contains(count) else {
            throw SchedulerError.invalidParameter(scheduler: scheduler, parameter: "num_train_timesteps",
                                                  reason: "must be in 1...\(Self.maximumTrainTimesteps), got \(count)")
        }
        var betas: [Float]
        if let trainedBetas = configuration.trainedBetas {
            guard trainedBetas.count == count else {
                throw SchedulerError.invalidParameter(scheduler: scheduler, parameter: "trained_betas", reason:
                    "holds \(trainedBetas.count) betas but 'num_train_timesteps' is \(count)")
            }
            betas = trainedBetas.map { Float($0) }
        } else {
            guard supported.contains(configuration.betaSchedule) else {
                throw SchedulerError.unsupportedChoice(
                    scheduler: scheduler, parameter: "beta_schedule", value: configuration.betaSchedule.rawValue,
                    supported: supported.map(\.rawValue))
            }
            if configuration.betaSchedule == .scaledLinear, min(configuration.betaStart, configuration.betaEnd) < 0 {
                throw SchedulerError.invalidParameter(scheduler: scheduler, parameter: "beta_start", reason:
                    "and 'beta_end' must not be negative for 'scaled_linear' betas, got "
                    + "\(configuration.betaStart) and \(configuration.betaEnd)")
            }
            betas = configuration.betaSchedule.betas(start: configuration.betaStart, end: configuration.betaEnd,
                                                     count: count)
        }
        if configuration.rescaleBetasZeroSNR {
            guard count >= 2 else {
                throw SchedulerError.invalidParameter(scheduler: scheduler, parameter: "rescale_betas_zero_snr",
                                                      reason: "needs at least 2 training timesteps, got \(count)")
            }
            betas = ZeroTerminalSNR.rescale(betas)
        }
        if let outside = betas.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
            let source = configuration.trainedBetas != nil ? "trained_betas"
                : "beta_start (\(configuration.betaStart)), beta_end (\(configuration.betaEnd)) and beta_schedule "
                    + "'\(configuration.betaSchedule.rawValue)'"
            throw SchedulerError.invalidParameter(scheduler: scheduler, parameter: configuration.trainedBetas != nil
                                                  ? "trained_betas" : "beta_start", reason:
                "gives beta \(betas[outside]) at timestep \(outside): \(source) must give betas in [0, 1]")
        }
        self.configuration = configuration
        self.betas = betas
        alphasCumprod = TorchScheduleMath.cumulativeProduct(betas.map { 1 - $0 })
    }

    /// ᾱ_t, or an error naming `scheduler` when `timestep` is outside the training schedule.
    func alphaCumprod(at timestep: Int, scheduler: String) throws -> Float {
        guard alphasCumprod.indices.contains(timestep) else {
            throw SchedulerError.timestepOutOfRange(scheduler: scheduler, timestep: timestep,
                                                    trainTimesteps: numTrainTimesteps)
        }
        return alphasCumprod[timestep]
    }

    /// The forward process `√ᾱ_t · x₀ + √(1 − ᾱ_t) · ε` (diffusers' `add_noise`), with one timestep for the whole
    /// batch or one per item.
    func addNoise(original: Tensor, noise: Tensor, timesteps: [Int], scheduler: String) throws -> Tensor {
        guard noise.shape == original.shape, noise.layout == original.layout else {
            throw SchedulerError.shapeMismatch(scheduler: scheduler, parameter: "noise", shape: noise.shape,
                                               expected: "the shape of the original samples, \(original.shape)")
        }
        let itemTimesteps = try timestepsPerItem(timesteps, batchSize: original.batchSize, scheduler: scheduler)
        let alphas = try itemTimesteps.map { try alphaCumprod(at: $0, scheduler: scheduler) }
        let signalScales = alphas.map { $0.squareRoot() }
        let noiseScales = alphas.map { (1 - $0).squareRoot() }
        return original.zipMapItems(noise) { item, sample, noise in
            signalScales[item] * sample + noiseScales[item] * noise
        }
    }
}

/// `timesteps` with one entry per batch item: a single timestep is repeated for the whole batch.
public func timestepsPerItem(_ timesteps: [Int], batchSize: Int, scheduler: String) throws -> [Int] {
    if timesteps.count == batchSize { return timesteps }
    guard timesteps.count == 1 else {
        throw SchedulerError.timestepCountMismatch(scheduler: scheduler, timesteps: timesteps.count,
                                                   batchSize: batchSize)
    }
    return Array(repeating: timesteps[0], count: batchSize)
}

extension ConfigurationKey {
    /// The noise schedule keys into `field`, a `beta_schedule` outside `supported` an error.
    static func noiseSchedule(_ field: WritableKeyPath<Root, NoiseSchedule.Configuration>, supported: [BetaSchedule],
                              readsZeroSNR: Bool = true) -> Self {
        .group(field, keys: NoiseSchedule.Configuration.keys(supported: supported, readsZeroSNR: readsZeroSNR))
    }
}

extension NoiseSchedule.Configuration {
    /// Stable Diffusion's range of betas, the default of Heun, KDPM2, KDPM2 a and LCM: `beta_start` 0.00085,
    /// `beta_end` 0.012.
    static var stableDiffusionBetas: Self {
        var schedule = Self()
        schedule.betaStart = 0.00085
        schedule.betaEnd = 0.012
        return schedule
    }
}

/// How the training betas grow from `beta_start` to `beta_end` (`beta_schedule` in `scheduler_config.json`).
public enum BetaSchedule: String, Sendable, CaseIterable {
    case linear
    /// Linear in √β, the latent diffusion (Stable Diffusion) schedule.
    case scaledLinear = "scaled_linear"
    /// Glide's cosine schedule: ᾱ(t) = cos²((t + 0.008)/1.008 · π/2), each β capped at 0.999.
    case squaredcosCapV2 = "squaredcos_cap_v2"
    /// GeoDiff's sigmoid schedule (DDPM only).
    case sigmoid
    /// The Laplace schedule of ᾱ(t) (DDPM only).
    case laplace

    /// The float32 betas diffusers computes for this schedule.
    func betas(start: Double, end: Double, count: Int) -> [Float] {
        switch self {
        case .linear:
            TorchScheduleMath.linspace(from: Float(start), to: Float(end), count: count)
        case .scaledLinear:
            TorchScheduleMath.linspace(from: Float(start.squareRoot()), to: Float(end.squareRoot()), count: count)
                .map { $0 * $0 }
        case .squaredcosCapV2:
            Self.betasForAlphaBar(count: count) { t in
                let angle = (t + 0.008) / 1.008 * Double.pi / 2
                return cos(angle) * cos(angle)
            }
        case .sigmoid:
            TorchScheduleMath.linspace(from: -6, to: 6, count: count).map { x in
                (1 / (1 + exp(-x))) * Float(end - start) + Float(start)
            }
        case .laplace:
            Self.betasForAlphaBar(count: count) { t in
                let signedLog = -0.5 * copysign(1.0, 0.5 - t) * log(1 - 2 * abs(0.5 - t) + 1e-6)
                let signalToNoise = exp(signedLog)
                return (signalToNoise / (1 + signalToNoise)).squareRoot()
            }
        }
    }

    /// Betas that discretize a continuous ᾱ(t) on [0, 1], in double precision, each capped at 0.999.
    private static func betasForAlphaBar(count: Int, _ alphaBar: (Double) -> Double) -> [Float] {
        (0..<count).map { index in
            let t1 = Double(index) / Double(count)
            let t2 = Double(index + 1) / Double(count)
            return Float(min(1 - alphaBar(t2) / alphaBar(t1), 0.999))
        }
    }
}

/// Rescales betas so the last timestep has zero signal-to-noise ratio (Lin et al. 2023, "Common Diffusion Noise
/// Schedules and Sample Steps are Flawed", Algorithm 1), in float32 as diffusers does.
enum ZeroTerminalSNR {
    static func rescale(_ betas: [Float]) -> [Float] {
        let alphasCumprod = TorchScheduleMath.cumulativeProduct(betas.map { 1 - $0 })
        var roots = alphasCumprod.map { $0.squareRoot() }
        let first = roots[0], last = roots[roots.count - 1]
        let scale = first / (first - last)
        roots = roots.map { ($0 - last) * scale }
        let rescaledCumprod = roots.map { $0 * $0 }
        let alphas = rescaledCumprod.indices.map { index in
            index == 0 ? rescaledCumprod[0] : rescaledCumprod[index] / rescaledCumprod[index - 1]
        }
        return alphas.map { 1 - $0 }
    }
}
