import Foundation
import ParadiffuseLoading
import ParadiffuseSamplers
import ParadiffuseTensors

/// What `--stats FILE.json` records about one generation.
public struct SamplingReport: Codable, Sendable {
    public struct Comparison: Codable, Sendable {
        public let maxAbsDifference: Float
        public let rmsDifference: Float
        public let sequentialWallSeconds: Double

        enum CodingKeys: String, CodingKey {
            case maxAbsDifference = "max_abs_difference"
            case rmsDifference = "rms_difference"
            case sequentialWallSeconds = "sequential_wall_seconds"
        }

        public init(samples: Tensor, sequential: Tensor, sequentialWallSeconds: Double) {
            maxAbsDifference = samples.maxAbsDifference(sequential)
            let squares = samples.zipMap(sequential) { ($0 - $1) * ($0 - $1) }.scalars.reduce(0, +)
            rmsDifference = (squares / Float(samples.count)).squareRoot()
            self.sequentialWallSeconds = sequentialWallSeconds
        }
    }

    public let sampler: String
    public let scheduler: String
    public let steps: Int
    public let images: Int
    public let statistics: SamplingStatistics
    public let comparison: Comparison?
    /// The precision and quantization the models computed in, and the CPU they ran on.
    public var precision: String?
    public var quantization: String?
    public var cpu: CPUCapabilities.Summary?

    /// Writes the report as JSON, atomically, replacing an existing file only with `overwrite`.
    public func write(to url: URL, overwrite: Bool) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(self), to: url, overwrite: overwrite)
    }

    /// One line for the terminal.
    public var summary: String {
        var text = String(format: "%@: %d steps in %d iterations, %d model evaluations, %.2f s", sampler, steps,
                          statistics.parallelIterations, statistics.modelEvaluations, statistics.wallSeconds)
        if let comparison {
            text += String(format: "; against sequential (%.2f s): max |Δ| %.2e, RMS %.2e",
                           comparison.sequentialWallSeconds, comparison.maxAbsDifference, comparison.rmsDifference)
        }
        return text
    }
}
