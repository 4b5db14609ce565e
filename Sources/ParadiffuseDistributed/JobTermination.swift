import Foundation

/// When one rank of an `mpirun` job dies or aborts, `mpirun` ends the others with SIGTERM. This makes each of them
/// say so on standard error (a line naming the rank) and exit with status 1, instead of vanishing silently.
public enum JobTermination {
    nonisolated(unsafe) private static var message: UnsafeMutableBufferPointer<CChar>?

    public static func reportTermination(rank: Int, size: Int) {
        let text = "error: rank \(rank) of \(size): ended by mpirun because another rank of this run stopped\n"
        let buffer = UnsafeMutableBufferPointer<CChar>.allocate(capacity: text.utf8.count)
        _ = buffer.initialize(from: text.utf8.map { CChar(bitPattern: $0) })
        message = buffer
        signal(SIGTERM) { _ in
            if let message = JobTermination.message { _ = write(STDERR_FILENO, message.baseAddress, message.count) }
            _exit(1)
        }
    }
}
