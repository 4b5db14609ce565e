import ParadiffuseSamplers

/// This process's part in a generation that several processes run together (`mpirun`, see the Distributed
/// target): how its samplers share their model calls with the others, and whether it writes the output files.
public struct GenerationRole {
    /// Whether this process checks and writes the output files (one process of a run does).
    public var writesOutputs: Bool
    /// Wraps each sampler the run uses, e.g. in a sampler whose denoiser calls are divided among processes.
    public var distributing: (any Sampler) -> any Sampler

    public init(writesOutputs: Bool, distributing: @escaping (any Sampler) -> any Sampler) {
        self.writesOutputs = writesOutputs
        self.distributing = distributing
    }

    /// A run in one process.
    public static var soleProcess: GenerationRole { GenerationRole(writesOutputs: true, distributing: { $0 }) }
}
