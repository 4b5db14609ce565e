import CDNNL
import Foundation

/// The compute threads (OpenMP, which oneDNN runs on) of each process of a run.
public enum ComputeThreads {
    /// The machine's cores divided among the ranks `mpirun` started on it (`OMPI_COMM_WORLD_LOCAL_SIZE`), and no
    /// more than the cores this process may run on (`mpirun` binds each of 2 ranks to one core).
    public static func perProcessDefault(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        let localRanks = environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init) ?? 1
        let share = ProcessInfo.processInfo.processorCount / max(1, localRanks)
        return max(1, min(share, ProcessInfo.processInfo.activeProcessorCount))
    }

    /// Sets the threads of later parallel regions (before the first model is loaded).
    public static func set(_ count: Int) {
        precondition(count >= 1, "thread count \(count)")
        omp_set_num_threads(Int32(count))
    }
}
