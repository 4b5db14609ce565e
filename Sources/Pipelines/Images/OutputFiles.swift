import Foundation

/// The files one generation writes: `output.png` for one image, or `output-0.png`, `output-1.png`, ... for
/// several; `output-grid.png` when a grid is asked for; and the final latents when they are to be saved.
public struct OutputFiles: Sendable, Equatable {
    public let images: [URL]
    public let grid: URL?
    public let latents: URL?

    public init(output: URL, count: Int, grid: Bool, latents: URL? = nil) {
        let folder = output.deletingLastPathComponent()
        let stem = output.deletingPathExtension().lastPathComponent
        let fileExtension = output.pathExtension.isEmpty ? "png" : output.pathExtension
        func sibling(_ suffix: String) -> URL { folder.appendingPathComponent("\(stem)-\(suffix).\(fileExtension)") }
        images = count == 1 ? [output] : (0..<count).map { sibling(String($0)) }
        self.grid = grid ? sibling("grid") : nil
        self.latents = latents
    }

    public var all: [URL] { images + [grid, latents].compactMap { $0 } }

    /// Checks, before any work is done, that every file can be written: its folder exists, and unless
    /// `overwrite` is true, the file does not exist yet.
    public func checkWritable(overwrite: Bool) throws {
        for url in all {
            let folder = url.deletingLastPathComponent()
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory),
                  isDirectory.boolValue else {
                throw ImageError.missingOutputFolder(url)
            }
            if !overwrite && FileManager.default.fileExists(atPath: url.path) { throw ImageError.outputExists(url) }
        }
    }
}
