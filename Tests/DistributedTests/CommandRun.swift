import Foundation

/// One run of a program with a time limit, its output captured.
struct CommandRun {
    let status: Int32
    let standardError: String
    let seconds: Double
    let timedOut: Bool

    init(_ executable: URL, _ arguments: [String], environment: [String: String] = [:], limit: Double) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("paradiffuse-\(UUID()).stderr")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        process.standardError = try FileHandle(forWritingTo: errorFile)
        process.standardOutput = FileHandle.nullDevice
        let start = Date()
        try process.run()
        var timedOut = false
        while process.isRunning {
            if Date().timeIntervalSince(start) > limit {
                timedOut = true
                process.terminate()
                break
            }
            usleep(20_000)
        }
        process.waitUntilExit()
        self.status = process.terminationStatus
        self.seconds = Date().timeIntervalSince(start)
        self.timedOut = timedOut
        self.standardError = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
    }
}

/// Where the tests find `mpirun` and the `paradiffuse` binary built beside this test bundle.
enum Programs {
    static let mpirun: URL? = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].map(URL.init(fileURLWithPath:))
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }

    static var paradiffuse: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("paradiffuse")
    }

    /// `mpirun` as root, with more ranks than cores, over shared memory only.
    static func mpirunArguments(ranks: Int) -> [String] {
        ["--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "--mca", "btl", "self,vader", "-np", "\(ranks)"]
    }
}
