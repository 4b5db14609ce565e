import ArgumentParser
import ParadiffuseDistributed
import Foundation
import Paradiffuse

extension BatchSplit: ExpressibleByArgument {}

/// `generate`'s options for runs across processes, `mpirun -np K paradiffuse generate ...`: every rank loads the
/// model and runs the same sampler, each batch of model calls is divided among the ranks, and rank 0 writes the
/// files and reports progress. Without `mpirun` the run stays in one process and MPI is never initialized.
struct ProcessOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Under mpirun: what the ranks divide in each batch of model calls: the window's "
                               + "timesteps, classifier-free guidance's conditional and unconditional halves, or auto "
                               + "(cfg when a batch has fewer timesteps than there are ranks, else window).",
                               valueName: BatchSplit.allCases.map(\.rawValue).joined(separator: "|")))
    var split = BatchSplit.auto

    @Option(parsing: .unconditional, help: "Compute threads per process (default: the cores divided among the ranks mpirun started on this machine).")
    var threads: Int?

    @Flag(inversion: .prefixedNo,
          help: ArgumentHelp("Evaluate the model one latent (and guidance branch) at a time, so results are "
                             + "bit-identical for every number of ranks and split on every CPU (default: on under "
                             + "mpirun, off otherwise; a run alone matches mpirun runs with --deterministic)."))
    var deterministic: Bool?

    @Option(name: .customLong("mpi-timeout"), parsing: .unconditional,
            help: "Under mpirun: seconds a rank waits for the others in one exchange before it ends the run.")
    var mpiTimeout = 300.0

    func validate() throws {
        if let threads, !(1...1_024).contains(threads) {
            throw ValidationError("--threads must be in 1...1024, got \(threads)")
        }
        guard mpiTimeout.isFinite, mpiTimeout > 0 else {
            throw ValidationError("--mpi-timeout must be a number of seconds above 0, got \(mpiTimeout)")
        }
    }

    /// `--split cfg` divides guidance's halves, so it needs guidance (runs whose default guidance turns out to be
    /// none are rejected when sampling starts).
    func validate(guidance: Float?) throws {
        if split == .cfg, let guidance, guidance <= 1 {
            throw ValidationError("--split cfg divides classifier-free guidance's halves among ranks, but --guidance "
                                  + "\(guidance) means no guidance")
        }
    }

    /// Runs `body` as this process's part of the run, with a seed every rank agrees on (rank 0's `seed`, or its
    /// random one). Under `mpirun` the ranks first check that they read the same model; an error on any rank is
    /// printed with its rank and ends every rank.
    func run(model: URL, seed: UInt64?, quiet: Bool,
             _ body: (GenerationRole, ProgressReporter, UInt64) throws -> Void) throws {
        let chosenSeed = seed ?? UInt64.random(in: 0...UInt64(UInt32.max))
        guard MPIProcessGroup.isLaunchedByMPIRun else {
            if let threads { ComputeThreads.set(threads) }
            let role = deterministic == true ? role(in: SingleProcess(), evaluatesItemwise: true) : .soleProcess
            return try body(role, .standardError(quiet: quiet), chosenSeed)
        }
        let group = try MPIProcessGroup(timeout: mpiTimeout)
        ComputeThreads.set(threads ?? ComputeThreads.perProcessDefault())
        if group.size > 1 { JobTermination.reportTermination(rank: group.rank, size: group.size) }
        do {
            try ModelFingerprint.verifySameModel(folder: model, group: group)
            let halves = try group.broadcastFromFirst([Int32(bitPattern: UInt32(truncatingIfNeeded: chosenSeed >> 32)),
                                                       Int32(bitPattern: UInt32(truncatingIfNeeded: chosenSeed))],
                                                      operation: "agreeing on the seed")
            let agreedSeed = UInt64(UInt32(bitPattern: halves[0])) << 32 | UInt64(UInt32(bitPattern: halves[1]))
            try body(role(in: group, evaluatesItemwise: deterministic ?? true), .standardError(quiet: quiet || group.rank != 0),
                     agreedSeed)
        } catch {
            guard group.size > 1 else {
                group.finalize()
                throw error
            }
            FileHandle.standardError.write(Data("error: rank \(group.rank) of \(group.size): \(error)\n".utf8))
            group.abort()
        }
        group.finalize()
    }

    private func role(in group: ProcessGroup, evaluatesItemwise: Bool) -> GenerationRole {
        GenerationRole(writesOutputs: group.rank == 0) { [split] in
            DistributedSampler($0, group: group, split: split, evaluatesItemwise: evaluatesItemwise)
        }
    }
}
