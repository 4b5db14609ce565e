import Foundation

/// The most physical memory this process has held at once (Linux `VmHWM`, else `getrusage`'s `ru_maxrss`).
public enum PeakResidentMemory {
    public static var bytes: Int {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
           let kibibytes = Int(line.split(separator: " ").dropFirst().first ?? "") {
            return kibibytes * 1024
        }
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024  // kibibytes on Linux
        #else
        getrusage(RUSAGE_SELF, &usage)
        return usage.ru_maxrss
        #endif
    }

    /// Starts a new peak at the current resident memory (Linux: `5` written to `/proc/self/clear_refs`), so that
    /// `bytes` reports the peak of what runs next; where that is unavailable, `bytes` keeps the process's peak.
    public static func resetPeak() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    /// `5.7 GiB`, `812 MiB`.
    public static func formatted(_ bytes: Int) -> String {
        let gibibytes = Double(bytes) / Double(1 << 30)
        return gibibytes >= 1 ? String(format: "%.2f GiB", gibibytes)
            : String(format: "%.0f MiB", Double(bytes) / Double(1 << 20))
    }
}
