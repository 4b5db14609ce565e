import Foundation
import ParadiffuseTensors

/// The latent distribution an `AutoencoderKL` encodes an image to: independent normals per latent element, as
/// diffusers' `DiagonalGaussianDistribution` builds them from the encoder's moments.
public struct DiagonalGaussianDistribution {
    /// Log-variances are clamped to this range before use, as diffusers does.
    public static let logVarianceRange: ClosedRange<Float> = -30...20

    /// The moments `[N, 2·C, H, W]`, row-major: the mean's C channels, then the log-variance's.
    public let parameters: Tensor
    public let mean: Tensor
    /// The clamped log-variance.
    public let logVariance: Tensor
    public let standardDeviation: Tensor

    /// `parameters` is row-major `[N, 2·C, H, W]`.
    public init(parameters: Tensor) throws {
        guard parameters.layout == .rowMajor, parameters.rank == 4, parameters.shape[1] % 2 == 0 else {
            throw ModelError.invalidInput(parameter: "parameters",
                                          reason: "\(parameters) is not row-major [N, 2·C, H, W]")
        }
        let (batch, channels) = (parameters.shape[0], parameters.shape[1] / 2)
        let halfShape = [batch, channels, parameters.shape[2], parameters.shape[3]]
        let halfCount = channels * parameters.shape[2] * parameters.shape[3]
        let values = parameters.scalars
        var means = [Float](), logVariances = [Float]()
        means.reserveCapacity(batch * halfCount)
        logVariances.reserveCapacity(batch * halfCount)
        for item in 0..<batch {
            let start = item * 2 * halfCount
            means += values[start..<start + halfCount]
            logVariances += values[start + halfCount..<start + 2 * halfCount].map {
                min(max($0, Self.logVarianceRange.lowerBound), Self.logVarianceRange.upperBound)
            }
        }
        self.parameters = parameters
        mean = Tensor(shape: halfShape, scalars: means)
        logVariance = Tensor(shape: halfShape, scalars: logVariances)
        standardDeviation = logVariance.map { exp(0.5 * $0) }
    }

    /// A draw `mean + standardDeviation · ε`, with ε drawn from `generator` exactly as diffusers'
    /// `randn_tensor(mean.shape, generator)` draws it from a CPU `torch.Generator` (or a list of them) in the same
    /// state.
    public func sample(using generator: inout some NormalSource) -> Tensor {
        mean + standardDeviation * generator.randn(mean.shape)
    }

    /// The most likely latent: the mean.
    public func mode() -> Tensor { mean }
}
