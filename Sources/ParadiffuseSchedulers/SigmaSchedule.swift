import Foundation
import ParadiffuseLoading

/// How the σ of a run are spaced once the timesteps are chosen (`use_karras_sigmas`, `use_exponential_sigmas`):
/// the σ of the spaced training timesteps themselves, or new σ between the largest and smallest of them, each at a
/// fractional training timestep found by interpolating in log σ.
public enum SigmaSpacing: String, Sendable, CaseIterable {
    /// The training σ at the spaced timesteps.
    case timesteps
    /// Karras et al. 2022, eq. 5 (ρ = 7).
    case karras
    /// Evenly spaced in log σ.
    case exponential
    /// At the quantiles of the beta distribution with α = β = 0.6 ("Beta Sampling is All You Need", Lee et al.
    /// 2024): dense at both ends of the range.
    case beta
}

extension SigmaSpacing {
    /// `count` σ from `maximum` down to `minimum` in this spacing; nil for `timesteps`, which keeps the training σ.
    func sigmas(count: Int, minimum: Double, maximum: Double) -> [Double]? {
        switch self {
        case .timesteps: nil
        case .karras: KarrasSigmas.sigmas(count: count, minimum: minimum, maximum: maximum)
        case .exponential: SigmaSchedule.exponentialSigmas(count: count, minimum: minimum, maximum: maximum)
        case .beta: SigmaSchedule.betaSigmas(count: count, minimum: minimum, maximum: maximum)
        }
    }
}

extension ConfigurationKey {
    /// The σ spacing `use_karras_sigmas` / `use_exponential_sigmas` / `use_beta_sigmas` choose; several at once is
    /// an error, as in diffusers.
    static func sigmaSpacing(_ field: WritableKeyPath<Root, SigmaSpacing>) -> Self {
        Self { root, config, scheduler in
            let karras: Bool = try config.value("use_karras_sigmas", default: false)
            let exponential: Bool = try config.value("use_exponential_sigmas", default: false)
            let beta: Bool = try config.value("use_beta_sigmas", default: false)
            if [karras, exponential, beta].filter({ $0 }).count > 1 {
                throw LoadingError.invalidConfigValue(config.url, key: "use_karras_sigmas", reason:
                    "\(scheduler): only one of 'use_karras_sigmas', 'use_exponential_sigmas' and 'use_beta_sigmas' "
                    + "can be true")
            }
            root[keyPath: field] = karras ? .karras : exponential ? .exponential : beta ? .beta : .timesteps
        }
    }
}

/// The σ schedule shared by the k-diffusion-style schedulers (Euler, Euler ancestral, Heun, LMS, KDPM2): σ =
/// √((1 − ᾱ)/ᾱ) of the training schedule, timesteps spaced as diffusers spaces them (float32, NumPy's
/// arithmetic), σ interpolated at those timesteps, optionally respaced (Karras, exponential), then a final σ.
public struct SigmaSchedule: Sendable, Equatable {
    /// The timesteps the model is conditioned on, one per σ but the last (double precision where diffusers
    /// computes them so, before KDPM2 rounds them).
    public internal(set) var timesteps: [Double]
    /// σ of each step, then the final σ.
    public internal(set) var sigmas: [Float]

    /// The run's schedule. `minimum`/`maximum` replace the ends of a respaced schedule (Euler's `sigma_min`,
    /// `sigma_max`); `logLinear` is Euler's `interpolation_type` "log_linear", which spaces `count + 1` σ evenly
    /// in log σ over the whole training range.
    init(count: Int, trainingSigmas: [Float], spacing: TimestepSpacing, stepsOffset: Int, sigmaSpacing: SigmaSpacing,
         minimum: Double? = nil, maximum: Double? = nil, logLinear: Bool = false, finalSigma: Float = 0,
         scheduler: String) throws {
        guard count >= 1 else {
            throw SchedulerError.invalidParameter(scheduler: scheduler, parameter: "num_inference_steps",
                                                  reason: "must be at least 1, got \(count)")
        }
        // float32, as diffusers' σ schedulers cast them; `trailing` keeps NumPy's occasional final −1, whose σ is σ(0).
        let timesteps = spacing.positions(count: count, trainTimesteps: trainingSigmas.count, stepsOffset: stepsOffset)
            .map { Float($0) }
        var sigmas: [Double]
        if logLinear {
            let ends = (log(trainingSigmas[trainingSigmas.count - 1]), log(trainingSigmas[0]))
            sigmas = TorchScheduleMath.linspace(from: ends.0, to: ends.1, count: count + 1).map { Double(exp($0)) }
        } else {
            sigmas = Self.interpolate(trainingSigmas, at: timesteps)
        }
        if let respaced = sigmaSpacing.sigmas(count: count, minimum: minimum ?? sigmas[sigmas.count - 1],
                                              maximum: maximum ?? sigmas[0]) {
            sigmas = respaced
            let logSigmas = trainingSigmas.map { log($0) }
            self.timesteps = sigmas.map { KarrasSigmas.timestep(of: $0, logSigmas: logSigmas) }
        } else {
            self.timesteps = timesteps.map { Double($0) }
        }
        self.sigmas = sigmas.map { Float($0) } + [finalSigma]
    }

    /// σ = √((1 − ᾱ_t)/ᾱ_t) for each training timestep, ascending, in float32.
    static func trainingSigmas(_ alphasCumprod: [Float]) -> [Float] {
        alphasCumprod.map { ((1 - $0) / $0).squareRoot() }
    }

    /// `numpy.interp(timesteps, arange(T), sigmas)` in double precision: linear between neighbouring training
    /// timesteps, clamped to the ends.
    static func interpolate(_ trainingSigmas: [Float], at timesteps: [Float]) -> [Double] {
        let last = trainingSigmas.count - 1
        return timesteps.map { timestep in
            let t = Double(timestep)
            guard t > 0 else { return Double(trainingSigmas[0]) }
            guard t < Double(last) else { return Double(trainingSigmas[last]) }
            let low = Int(t.rounded(.down))
            guard Double(low) != t else { return Double(trainingSigmas[low]) }
            let slope = Double(trainingSigmas[low + 1]) - Double(trainingSigmas[low])
            return slope * (t - Double(low)) + Double(trainingSigmas[low])
        }
    }

    /// `exp(numpy.linspace(log σmax, log σmin, count))`.
    fileprivate static func exponentialSigmas(count: Int, minimum: Double, maximum: Double) -> [Double] {
        let start = log(maximum), stop = log(minimum)
        guard count > 1 else { return count == 1 ? [exp(start)] : [] }
        let step = (stop - start) / Double(count - 1)
        return (0..<count).map { exp($0 == count - 1 ? stop : Double($0) * step + start) }
    }

    /// diffusers' `_convert_to_beta`: `σmin + ppf(1 − linspace(0, 1, count)) · (σmax − σmin)` with the beta
    /// distribution's quantiles at α = β = 0.6.
    fileprivate static func betaSigmas(count: Int, minimum: Double, maximum: Double) -> [Double] {
        let step = count > 1 ? 1 / Double(count - 1) : 0
        return (0..<count).map { index in
            let ramp = count > 1 && index == count - 1 ? 1 : Double(index) * step
            return minimum + BetaDistribution.quantile(1 - ramp, alpha: 0.6, beta: 0.6) * (maximum - minimum)
        }
    }

    /// diffusers' `_sigma_to_t` applied to a float32 σ as KDPM2 applies it to its interpolated σ: every quantity in
    /// float32, log σ interpolated between the training timesteps around it.
    static func float32Timestep(of sigma: Float, logSigmas: [Float]) -> Float {
        // One training timestep: 0 is the only one (diffusers' interpolation would index before the start).
        guard logSigmas.count >= 2 else { return 0 }
        let logSigma = log(max(sigma, Float(1e-10)))
        let atOrBelow = logSigmas.lastIndexOfPrefix { logSigma - $0 >= 0 } ?? 0
        let low = min(atOrBelow, logSigmas.count - 2), high = low + 1
        let weight = min(max((logSigmas[low] - logSigma) / (logSigmas[low] - logSigmas[high]), 0), 1)
        return (1 - weight) * Float(low) + weight * Float(high)
    }

    /// `[x₀, x₁, x₁, x₂, x₂, …, x_last, x_last, x_last]`: KDPM2's per-key layout of a per-step list that ends
    /// with the final σ (diffusers' `cat([x[:1], x[1:].repeat_interleave(2), x[-1:]])`).
    static func interleaved(_ values: [Float]) -> [Float] {
        [values[0]] + values.dropFirst().flatMap { [$0, $0] } + [values[values.count - 1]]
    }

    /// `exp(lerp(log a, log b, ½))` in float32 as PyTorch computes it, `b − (b − a)·½` for the lerp: the geometric
    /// mean, 0 when either is 0 (NaN when `b` is 0 and `a` is not).
    static func geometricMidpoint(_ a: Float, _ b: Float) -> Float {
        let logA = log(a), logB = log(b)
        return exp(logB - (logB - logA) * 0.5)
    }

    /// The largest σ of the run, and the initial noise's standard deviation: σmax for `linspace` and `trailing`,
    /// √(σmax² + 1) for `leading`.
    static func initNoiseSigma(_ sigmas: [Float], spacing: TimestepSpacing) -> Float {
        let largest = sigmas.max() ?? 0
        return spacing == .leading ? (largest * largest + 1).squareRoot() : largest
    }
}
