import Foundation
import ParadiffuseTensors

/// The linear multistep method of order up to 4 (Adams–Bashforth in σ; Karras et al.'s k-diffusion "LMS"), as
/// diffusers' `LMSDiscreteScheduler` runs it: the slopes (x − x̂₀)/σ of the last steps are extrapolated by their
/// Lagrange polynomial in σ and integrated from σ to σ_next.
///
/// The integrals are exact: diffusers integrates the same cubic polynomials with `scipy.integrate.quad`, whose
/// 21-point Gauss–Kronrod rule is exact for them, differing only by its float32 evaluation of the integrand
/// (relative 1e-7 on the coefficients).
///
/// Not a `ParallelScheduler`: each step combines the slopes of up to three earlier steps (multistep history).
public struct LMSDiscreteScheduler: SigmaScheduler {
    public static let className = "LMSDiscreteScheduler"
    /// diffusers' default `order` argument of `step`.
    public static let maximumOrder = 4

    public typealias Configuration = SigmaSpacingConfiguration<Self>

    /// σ of each step, then 0.
    public private(set) var state: SigmaSchedulerState<Configuration>
    /// The slopes of the last `maximumOrder` steps, oldest first.
    private var derivatives: [Tensor] = []

    public init(state: SigmaSchedulerState<Configuration>) {
        self.state = state
    }

    public mutating func start(_ schedule: SigmaSchedule) {
        state.sigmas = schedule.sigmas
        state.modelTimesteps = schedule.timesteps.map { Float($0) }
        derivatives = []
    }

    public mutating func step(modelOutput: Tensor, timestep: Int, sample: Tensor,
                              noise: NoiseSource) throws -> Tensor {
        let index = try stepIndex(timestep, modelOutput: modelOutput, sample: sample)
        let sigma = sigmas[index]
        let originalSample = SigmaParametrization.predictedOriginalSample(
            configuration.predictionType, modelOutput: modelOutput, sample: sample, sigmas: [sigma])
        derivatives = Array((derivatives + [sample.zipMap(originalSample) { x, x0 in (x - x0) / sigma }])
            .suffix(Self.maximumOrder))
        let order = min(index + 1, Self.maximumOrder)
        let terms = zip((0..<order).map { coefficient(order: order, index: index, term: $0) }, derivatives.reversed())
        var sum = Tensor(zeros: sample.shape, layout: sample.layout)
        for (coefficient, derivative) in terms {
            sum = sum.zipMap(derivative) { total, d in total + coefficient * d }
        }
        return sample.zipMap(sum) { x, change in x + change }
    }

    /// ∫ from σ_index to σ_{index+1} of the Lagrange basis polynomial of the slope `term` steps back, over the σ
    /// of the last `order` steps; Gauss–Legendre with 3 nodes, exact for these polynomials of degree ≤ 3.
    private func coefficient(order: Int, index: Int, term: Int) -> Float {
        let nodes = (0..<order).map { Double(sigmas[index - $0]) }
        let basis = { (tau: Double) in
            nodes.indices.filter { $0 != term }.reduce(1.0) { product, other in
                product * (tau - nodes[other]) / (nodes[term] - nodes[other])
            }
        }
        let start = Double(sigmas[index]), end = Double(sigmas[index + 1])
        let middle = (start + end) / 2, halfWidth = (end - start) / 2
        let offset = (3.0 / 5.0).squareRoot() * halfWidth
        let integral = halfWidth * (5 * basis(middle - offset) + 8 * basis(middle) + 5 * basis(middle + offset)) / 9
        return Float(integral)
    }
}
