import Foundation
import ParadiffuseLoading

/// The files one generation writes: `output.png` for one image, or `output-0.png`, `output-1.png`, ... for
/// several; `output-grid.png` when a grid is asked for; and the final latents, the trajectory and the statistics
/// when they are to be saved.
public struct OutputFiles: Sendable, Equatable {
    public let images: [URL]
    public let grid: URL?
    public let latents: URL?
    public let trajectory: URL?
    public let statistics: URL?

    public init(output: URL, count: Int, grid: Bool, latents: URL? = nil, trajectory: URL? = nil,
                statistics: URL? = nil) {
        let folder = output.deletingLastPathComponent()
        let stem = output.deletingPathExtension().lastPathComponent
        let fileExtension = output.pathExtension.isEmpty ? "png" : output.pathExtension
        func sibling(_ suffix: String) -> URL { folder.appendingPathComponent("\(stem)-\(suffix).\(fileExtension)") }
        images = count == 1 ? [output] : (0..<count).map { sibling(String($0)) }
        self.grid = grid ? sibling("grid") : nil
        self.latents = latents
        self.trajectory = trajectory
        self.statistics = statistics
    }

    public var all: [URL] { images + [grid, latents, trajectory, statistics].compactMap { $0 } }

    /// Checks, before any work is done, that every file can be written: its folder exists, no two are the same
    /// file, and unless `overwrite` is true, none exists yet.
    public func checkWritable(overwrite: Bool) throws {
        try AtomicFile.checkWritable(all, overwrite: overwrite)
    }
}
