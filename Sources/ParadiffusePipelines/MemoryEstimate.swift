import Foundation

/// The memory a run's largest activations take, estimated before sampling from its batch and its models' widest
/// full-resolution layers, so that a run that cannot fit fails at once (naming what to lower, or `--force`)
/// instead of swapping for minutes or being killed half-way.
///
/// Each model stage holds about `liveTensorsPerItem` float32 tensors of `channels × height × width` per batch item
/// at its peak (residuals, skip connections, normalization and attention inputs). Measured peaks above the
/// process's base: the digits UNet 11 per item at batch 512 and 5.8 at batch 8192 (6.2 GB); the tiny Stable
/// Diffusion fixture at 1024² 9.5 (0.6 GB). Weights are not counted: they are mapped from their files when this
/// is checked.
public struct MemoryEstimate: Sendable {
    static let liveTensorsPerItem = 8.0

    /// One model run over a batch: `items` samples of `channels × height × width` at its widest.
    public struct Stage: Sendable {
        public let name: String
        public let items: Int
        public let channels: Int
        public let height: Int
        public let width: Int

        public init(_ name: String, items: Int, channels: Int, height: Int, width: Int) {
            self.name = name
            self.items = items
            self.channels = channels
            self.height = height
            self.width = width
        }

        var bytes: Double {
            MemoryEstimate.liveTensorsPerItem * 4 * Double(items) * Double(channels) * Double(height) * Double(width)
        }
    }

    /// The stage with the largest activations: stages run one after another.
    public let peak: Stage

    public init(_ stages: [Stage]) {
        peak = stages.max { $0.bytes < $1.bytes } ?? Stage("nothing", items: 0, channels: 0, height: 0, width: 0)
    }

    public var bytes: Double { peak.bytes }

    /// Throws `GenerationError.notEnoughMemory` when the estimate exceeds the memory available to this process,
    /// unless `force`; passes when the available memory cannot be read.
    public func check(force: Bool, available: Double? = AvailableMemory.bytes()) throws {
        guard !force, let available, bytes > available else { return }
        throw GenerationError.notEnoughMemory(needed: bytes, available: available, stage: peak.name,
                                              items: peak.items, height: peak.height, width: peak.width)
    }
}

/// Memory this process may still use: the kernel's `MemAvailable`, lowered to what the cgroup (a container's
/// limit) leaves.
public enum AvailableMemory {
    public static func bytes() -> Double? {
        let system = meminfoAvailable()
        guard let cgroup = cgroupRemaining() else { return system }
        return system.map { min($0, cgroup) } ?? cgroup
    }

    private static func meminfoAvailable() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let fields = line.split(separator: " ")
            if fields.count >= 2, let kibibytes = Double(fields[1]) { return kibibytes * 1024 }
        }
        return nil
    }

    private static func cgroupRemaining() -> Double? {
        func value(_ name: String) -> Double? {
            (try? String(contentsOfFile: "/sys/fs/cgroup/\(name)", encoding: .utf8))
                .flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        guard let limit = value("memory.max") else { return nil }
        return max(0, limit - (value("memory.current") ?? 0))
    }
}
