import Foundation

/// The noise levels of Karras et al. 2022 (eq. 5, ρ = 7) and their fractional training timesteps, in double
/// precision as diffusers computes them with NumPy.
enum KarrasSigmas {
    static let rho = 7.0

    /// `count` σ from `maximum` down to `minimum`, evenly spaced in σ^(1/ρ).
    static func sigmas(count: Int, minimum: Double, maximum: Double) -> [Double] {
        let minInverseRho = pow(minimum, 1 / rho), maxInverseRho = pow(maximum, 1 / rho)
        return numpyLinspace(count).map { ramp in pow(maxInverseRho + ramp * (minInverseRho - maxInverseRho), rho) }
    }

    /// diffusers' `_sigma_to_t`: the training timestep of `sigma`, interpolating linearly in log σ between the two
    /// training timesteps around it (`logSigmas` ascending, float32 as NumPy holds them).
    static func timestep(of sigma: Double, logSigmas: [Float]) -> Double {
        // One training timestep: 0 is the only one (diffusers' interpolation would index before the start).
        guard logSigmas.count >= 2 else { return 0 }
        let logSigma = log(max(sigma, 1e-10))
        let atOrBelow = logSigmas.lastIndexOfPrefix { logSigma - Double($0) >= 0 } ?? 0
        let low = min(atOrBelow, logSigmas.count - 2), high = low + 1
        let lowValue = Double(logSigmas[low])
        let weight = min(max((lowValue - logSigma) / Double(logSigmas[low] - logSigmas[high]), 0), 1)
        return (1 - weight) * Double(low) + weight * Double(high)
    }

    /// `numpy.linspace(0, 1, count)`.
    private static func numpyLinspace(_ count: Int) -> [Double] {
        guard count > 1 else { return count == 1 ? [0] : [] }
        let step = 1 / Double(count - 1)
        return (0..<count).map { $0 == count - 1 ? 1 : Double($0) * step }
    }
}
