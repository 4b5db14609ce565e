import ParadiffuseTensors

/// diffusers' tiled VAE scheme, shared by `tiled_encode` and `tiled_decode`: the input is cut into overlapping
/// square tiles, each transformed on its own; each transformed tile is blended linearly into the tile above and
/// the tile to its left (which were themselves blended already, since diffusers blends in place, row by row),
/// and the top-left `keptSize` square of every tile makes up the result.
struct OverlappingTiles {
    /// The side of an input tile (edge tiles are smaller).
    let inputTileSize: Int
    /// The side of a transformed full-size tile.
    let outputTileSize: Int
    /// The fraction of a tile that overlaps its neighbour.
    let overlapFactor: Double

    /// The distance between the starts of neighbouring input tiles.
    var stride: Int { Int(Double(inputTileSize) * (1 - overlapFactor)) }
    /// How many rows (columns) of a transformed tile are blended with its neighbour above (to the left).
    var blendExtent: Int { Int(Double(outputTileSize) * overlapFactor) }
    /// How many rows (columns) of each transformed tile the result keeps.
    var keptSize: Int { outputTileSize - blendExtent }

    /// The starts and sizes of the tiles along an input dimension of `length`.
    func tiles(along length: Int) -> [Range<Int>] {
        Swift.stride(from: 0, to: length, by: stride).map { $0..<min($0 + inputTileSize, length) }
    }

    /// `transform` applied tile by tile to a row-major `[N, C, H, W]` input; it maps a row-major tile to a
    /// row-major tile, the same for every tile of one size.
    func apply(to input: Tensor, _ transform: (Tensor) -> Tensor) -> Tensor {
        let rowRanges = tiles(along: input.shape[2]), columnRanges = tiles(along: input.shape[3])
        var grid = rowRanges.map { rows in
            columnRanges.map { columns in transform(input.cropped(rows: rows, columns: columns)) }
        }
        for row in grid.indices {
            for column in grid[row].indices {
                if row > 0 { grid[row][column].blendRows(from: grid[row - 1][column], extent: blendExtent) }
                if column > 0 { grid[row][column].blendColumns(from: grid[row][column - 1], extent: blendExtent) }
            }
        }
        return assemble(grid)
    }

    /// The top-left `keptSize` square of every tile, placed side by side.
    private func assemble(_ grid: [[Tensor]]) -> Tensor {
        let keptHeights = grid.map { min(keptSize, $0[0].shape[2]) }
        let keptWidths = grid[0].map { min(keptSize, $0.shape[3]) }
        let first = grid[0][0]
        let (batch, channels) = (first.shape[0], first.shape[1])
        let (height, width) = (keptHeights.reduce(0, +), keptWidths.reduce(0, +))
        var result = Tensor(uninitializedShape: [batch, channels, height, width])
        result.withUnsafeMutableBufferPointer { target in
            var top = 0
            for (row, keptHeight) in zip(grid, keptHeights) {
                var left = 0
                for (tile, keptWidth) in zip(row, keptWidths) {
                    let tileWidth = tile.shape[3], tileHeight = tile.shape[2]
                    tile.withUnsafeBufferPointer { source in
                        for plane in 0..<batch * channels {
                            for y in 0..<keptHeight {
                                let from = (plane * tileHeight + y) * tileWidth
                                let to = (plane * height + top + y) * width + left
                                for x in 0..<keptWidth { target[to + x] = source[from + x] }
                            }
                        }
                    }
                    left += keptWidth
                }
                top += keptHeight
            }
        }
        return result
    }
}

extension Tensor {
    /// Rows and columns of a row-major `[N, C, H, W]` tensor, copied.
    func cropped(rows: Range<Int>, columns: Range<Int>) -> Tensor {
        let (planes, height, width) = (shape[0] * shape[1], shape[2], shape[3])
        var result = Tensor(uninitializedShape: [shape[0], shape[1], rows.count, columns.count])
        withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                var index = 0
                for plane in 0..<planes {
                    for y in rows {
                        let start = (plane * height + y) * width
                        for x in columns {
                            target[index] = source[start + x]
                            index += 1
                        }
                    }
                }
            }
        }
        return result
    }

    /// diffusers' `blend_v(above, self, extent)`: the first rows fade in from the last rows of `above`
    /// (row-major `[N, C, H, W]`, equal width).
    mutating func blendRows(from above: Tensor, extent requested: Int) {
        let extent = Swift.min(above.shape[2], shape[2], requested)
        let (planes, width) = (shape[0] * shape[1], shape[3])
        let (height, aboveHeight) = (shape[2], above.shape[2])
        precondition(above.shape[3] == width, "blending rows of \(above) into \(self)")
        above.withUnsafeBufferPointer { source in
            withUnsafeMutableBufferPointer { target in
                for y in 0..<extent {
                    let (kept, added) = Self.blendWeights(y, extent)
                    for plane in 0..<planes {
                        let from = (plane * aboveHeight + aboveHeight - extent + y) * width
                        let to = (plane * height + y) * width
                        for x in 0..<width { target[to + x] = source[from + x] * kept + target[to + x] * added }
                    }
                }
            }
        }
    }

    /// diffusers' `blend_h(left, self, extent)`: the first columns fade in from the last columns of `left`
    /// (row-major `[N, C, H, W]`, equal height).
    mutating func blendColumns(from left: Tensor, extent requested: Int) {
        let extent = Swift.min(left.shape[3], shape[3], requested)
        let (rows, width, leftWidth) = (shape[0] * shape[1] * shape[2], shape[3], left.shape[3])
        precondition(left.shape[2] == shape[2], "blending columns of \(left) into \(self)")
        left.withUnsafeBufferPointer { source in
            withUnsafeMutableBufferPointer { target in
                for x in 0..<extent {
                    let (kept, added) = Self.blendWeights(x, extent)
                    for row in 0..<rows {
                        let to = row * width + x
                        target[to] = source[row * leftWidth + leftWidth - extent + x] * kept + target[to] * added
                    }
                }
            }
        }
    }

    /// The weights of the old and the new tile at `offset` into a blend of `extent`, computed in double precision
    /// and rounded to float, as PyTorch does with Python-float factors.
    private static func blendWeights(_ offset: Int, _ extent: Int) -> (old: Float, new: Float) {
        let fraction = Double(offset) / Double(extent)
        return (Float(1 - fraction), Float(fraction))
    }
}
