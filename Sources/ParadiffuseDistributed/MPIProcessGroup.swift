import CMPI
import Foundation
import ParadiffuseTensors

/// The ranks of `mpirun -np K`, over `MPI_COMM_WORLD`.
///
/// MPI errors return to the caller (`MPI_ERRORS_RETURN`) and become thrown `DistributedError`s, and every collective
/// is non-blocking, polled until it completes or `timeout` seconds pass, so a rank that stops or hangs ends the run
/// with an error instead of a hang. `mpirun` itself ends every rank when one exits without finalizing or dies; see
/// `JobTermination` for the message the others then print.
///
/// For tests of that path, `PARADIFFUSE_FAULT=kill:R:N` makes rank R kill itself (SIGKILL) at its N-th collective,
/// and `stall:R:N` makes it sleep there instead.
public final class MPIProcessGroup: ProcessGroup {
    public let rank: Int
    public let size: Int
    /// Seconds a collective may wait for the other ranks.
    public let timeout: Double

    private let communicator = cmpi_comm_world()
    private var collectives = 0
    private let fault: (kind: String, rank: Int, collective: Int)?

    /// Whether this process was started by Open MPI's `mpirun` (MPI is then initialized; otherwise a run stays in
    /// one process and never touches MPI).
    public static var isLaunchedByMPIRun: Bool {
        ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"] != nil
    }

    /// Initializes MPI; call once per process.
    public init(timeout: Double) throws {
        self.timeout = timeout
        var rank: Int32 = 0, size: Int32 = 0
        try Self.check(MPI_Init(nil, nil), function: "MPI_Init", operation: "start-up", rank: -1)
        try Self.check(MPI_Comm_set_errhandler(communicator, cmpi_errors_return()),
                       function: "MPI_Comm_set_errhandler", operation: "start-up", rank: -1)
        try Self.check(MPI_Comm_rank(communicator, &rank), function: "MPI_Comm_rank", operation: "start-up", rank: -1)
        try Self.check(MPI_Comm_size(communicator, &size), function: "MPI_Comm_size", operation: "start-up", rank: -1)
        self.rank = Int(rank)
        self.size = Int(size)
        fault = ProcessInfo.processInfo.environment["PARADIFFUSE_FAULT"].flatMap(Self.parseFault)
    }

    /// Ends MPI after a successful run.
    public func finalize() {
        MPI_Finalize()
    }

    /// Ends every rank of the run (after this rank printed why).
    public func abort() -> Never {
        MPI_Abort(communicator, 1)
        exit(1)
    }

    public func allGather(_ local: UnsafeBufferPointer<Float>, counts: [Int], into result: UnsafeMutableBufferPointer<Float>,
                          operation: String) throws {
        precondition(counts.count == size && counts[rank] == local.count && result.count == counts.reduce(0, +),
                     "\(operation): counts \(counts) do not match the buffers")
        let receiveCounts = try counts.map { count in
            guard let count32 = Int32(exactly: count) else { throw DistributedError.sliceTooLarge(operation: operation, elements: count) }
            return count32
        }
        var displacements: [Int32] = []
        var offset = 0
        for count in counts {
            guard let offset32 = Int32(exactly: offset) else {
                throw DistributedError.sliceTooLarge(operation: operation, elements: offset)
            }
            displacements.append(offset32)
            offset += count
        }
        try collective(operation, function: "MPI_Iallgatherv") { request in
            MPI_Iallgatherv(local.baseAddress, receiveCounts[rank], cmpi_float(), result.baseAddress, receiveCounts,
                            displacements, cmpi_float(), communicator, &request)
        }
    }

    public func allGather(bytes: [UInt8], operation: String) throws -> [[UInt8]] {
        var gathered = [UInt8](repeating: 0, count: bytes.count * size)
        try bytes.withUnsafeBufferPointer { local in
            try gathered.withUnsafeMutableBufferPointer { result in
                try collective(operation, function: "MPI_Iallgather") { request in
                    MPI_Iallgather(local.baseAddress, Int32(bytes.count), cmpi_byte(), result.baseAddress,
                                   Int32(bytes.count), cmpi_byte(), communicator, &request)
                }
            }
        }
        return (0..<size).map { Array(gathered[$0 * bytes.count..<($0 + 1) * bytes.count]) }
    }

    public func broadcastFromFirst(_ values: [Int32], operation: String) throws -> [Int32] {
        var buffer = values
        try buffer.withUnsafeMutableBufferPointer { pointer in
            try collective(operation, function: "MPI_Ibcast") { request in
                MPI_Ibcast(pointer.baseAddress, Int32(pointer.count), cmpi_int(), 0, communicator, &request)
            }
        }
        return buffer
    }

    /// Starts a non-blocking collective and polls it to completion, within `timeout`.
    private func collective(_ operation: String, function: String, start: (inout MPI_Request?) -> Int32) throws {
        collectives += 1
        injectFault()
        var request: MPI_Request?
        try Self.check(start(&request), function: function, operation: operation, rank: rank)
        let deadline = Date().addingTimeInterval(timeout)
        var done: Int32 = 0
        while true {
            try Self.check(MPI_Test(&request, &done, cmpi_status_ignore()), function: "MPI_Test", operation: operation,
                           rank: rank)
            if done != 0 { return }
            if Date() > deadline { throw DistributedError.timedOut(operation: operation, rank: rank, seconds: timeout) }
            usleep(50)
        }
    }

    private func injectFault() {
        guard let fault, fault.rank == rank, fault.collective == collectives else { return }
        if fault.kind == "kill" { kill(getpid(), SIGKILL) }
        while true { sleep(60) }
    }

    private static func parseFault(_ text: String) -> (kind: String, rank: Int, collective: Int)? {
        let parts = text.split(separator: ":")
        guard parts.count == 3, ["kill", "stall"].contains(parts[0]), let rank = Int(parts[1]),
              let collective = Int(parts[2]) else { return nil }
        return (String(parts[0]), rank, collective)
    }

    private static func check(_ code: Int32, function: String, operation: String, rank: Int) throws {
        guard code != MPI_SUCCESS else { return }
        var text = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &text, &length)
        throw DistributedError.mpiCall(function: function, operation: operation, rank: rank,
                                       message: String(cBuffer: text))
    }
}
