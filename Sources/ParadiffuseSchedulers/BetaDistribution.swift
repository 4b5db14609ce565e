import Foundation

/// The beta distribution's quantile function (SciPy's `scipy.stats.beta.ppf`), in double precision: the x with
/// I_x(α, β) = p, for the beta σ schedule of "Beta Sampling is All You Need" (Lee et al. 2024).
enum BetaDistribution {
    /// The x in [0, 1] with I_x(α, β) = `probability`, by bisection on the regularized incomplete beta function
    /// (monotone in x) to the last bit; 0 and 1 at the ends.
    static func quantile(_ probability: Double, alpha: Double, beta: Double) -> Double {
        guard probability > 0 else { return 0 }
        guard probability < 1 else { return 1 }
        var (low, high) = (0.0, 1.0)
        for _ in 0..<200 {
            let middle = (low + high) / 2
            guard middle > low, middle < high else { break }
            if regularizedIncompleteBeta(middle, alpha: alpha, beta: beta) < probability { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    /// I_x(α, β) from its continued fraction (modified Lentz), on the side of x where it converges fast.
    static func regularizedIncompleteBeta(_ x: Double, alpha: Double, beta: Double) -> Double {
        guard x > 0 else { return 0 }
        guard x < 1 else { return 1 }
        let logFront = lgamma(alpha + beta) - lgamma(alpha) - lgamma(beta) + alpha * log(x) + beta * log1p(-x)
        if x < (alpha + 1) / (alpha + beta + 2) {
            return exp(logFront) * continuedFraction(x, alpha, beta) / alpha
        }
        return 1 - exp(logFront) * continuedFraction(1 - x, beta, alpha) / beta
    }

    private static func continuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        d = 1 / (abs(d) < tiny ? tiny : d)
        var result = d
        for m in 1...500 {
            let m = Double(m)
            for numerator in [m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                              -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))] {
                d = 1 + numerator * d
                d = 1 / (abs(d) < tiny ? tiny : d)
                c = 1 + numerator / c
                if abs(c) < tiny { c = tiny }
                result *= c * d
            }
            if abs(c * d - 1) < 1e-16 { break }
        }
        return result
    }
}
