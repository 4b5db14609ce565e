import Foundation

/// Where the command line writes what a generation made, and whether it may replace files.
public struct GenerationOutputs: Sendable, Equatable {
    /// The image file; with several images its name gets `-0`, `-1`, ... appended (see `OutputFiles`).
    public var image: URL
    /// Whether to also write all images tiled into one grid image, `<image>-grid.png`.
    public var grid = false
    /// The grid's columns and rows (nil: see `RGBImage.grid(_:columns:rows:)`).
    public var gridColumns: Int?
    public var gridRows: Int?
    /// Where to save the final latents as safetensors.
    public var latents: URL?
    /// Where to save the whole trajectory as safetensors (the request must keep it).
    public var trajectory: URL?
    /// Where to write the sampling statistics as JSON.
    public var statistics: URL?
    /// Whether existing files may be replaced.
    public var overwrite = false

    public init(image: URL, grid: Bool = false, latents: URL? = nil, trajectory: URL? = nil, statistics: URL? = nil,
                overwrite: Bool = false) {
        self.image = image
        self.grid = grid
        self.latents = latents
        self.trajectory = trajectory
        self.statistics = statistics
        self.overwrite = overwrite
    }

    /// The files written for `imageCount` images.
    public func files(imageCount: Int) -> OutputFiles {
        OutputFiles(output: image, count: imageCount, grid: grid, latents: latents, trajectory: trajectory,
                    statistics: statistics)
    }
}
