import Foundation
import ParadiffuseLoading
import ParadiffuseTensors

/// A sampling trajectory on disk: the latents before each step and after the last, as float32 safetensors
/// (`x_0000`, `x_0001`, ...), with the timesteps and seed in the metadata, for warm-starting a later run.
public enum TrajectoryFile {
    /// Writes atomically, replacing an existing file only with `overwrite`.
    public static func write(_ trajectory: [Tensor], timesteps: [Int], seed: UInt64, to url: URL,
                             overwrite: Bool) throws {
        var tensors: [String: Tensor] = [:]
        for (index, latents) in trajectory.enumerated() { tensors[name(index)] = latents }
        try SafetensorsWriter.write(tensors, metadata: [
            "format": "paradiffuse-trajectory",
            "timesteps": timesteps.map(String.init).joined(separator: ","),
            "seed": "\(seed)",
        ], to: url, overwrite: overwrite)
    }

    /// The trajectory in `url`; it must have one more entry than `timesteps` and match them.
    public static func read(_ url: URL, timesteps: [Int]) throws -> [Tensor] {
        let file = try SafetensorsFile(url: url)
        guard file.metadata["format"] == "paradiffuse-trajectory" else {
            throw TrajectoryError.notATrajectory(url)
        }
        let stored = file.metadata["timesteps"]?.split(separator: ",").compactMap { Int($0) } ?? []
        guard stored == timesteps else { throw TrajectoryError.timestepsDiffer(url, stored: stored, requested: timesteps) }
        return try (0...timesteps.count).map { try file.tensor(named: name($0)) }
    }

    private static func name(_ index: Int) -> String { String(format: "x_%04d", index) }
}

public enum TrajectoryError: Error, DescribedError {
    case notATrajectory(URL)
    case timestepsDiffer(URL, stored: [Int], requested: [Int])

    public var description: String {
        switch self {
        case .notATrajectory(let url):
            "\(url.path) is not a trajectory saved by paradiffuse (--save-trajectory)"
        case let .timestepsDiffer(url, stored, requested):
            "\(url.path) holds a trajectory over \(stored.count) timesteps (\(stored.prefix(3).map(String.init).joined(separator: ", ")), ...), "
                + "but this run samples \(requested.count) (\(requested.prefix(3).map(String.init).joined(separator: ", ")), ...): "
                + "use the same scheduler and --steps"
        }
    }
}
