extension RGBImage {
    /// The images tiled row-major into a grid, as diffusers' `make_image_grid`: image `i` goes to row
    /// `i / columns`, column `i % columns`. `columns` defaults to ⌈n / rows⌉ when `rows` is given (as the A1111
    /// web UI's grids), else ⌈√n⌉; `rows` defaults to as many as needed.
    /// Cells are as large as the largest image (smaller images sit at their cell's top left); cells without an
    /// image stay black. Gray images are turned to RGB when any image is RGB.
    public static func grid(_ images: [RGBImage], columns: Int? = nil, rows: Int? = nil) -> RGBImage {
        let columns = columns ?? rows.map { (images.count + max($0, 1) - 1) / max($0, 1) }
            ?? Int((Double(images.count).squareRoot()).rounded(.up))
        precondition(columns >= 1 || images.isEmpty, "a grid needs at least one column, not \(columns)")
        let channels = images.map(\.channels).max() ?? 3
        let cellWidth = images.map(\.width).max() ?? 0
        let cellHeight = images.map(\.height).max() ?? 0
        let rows = max(rows ?? 0, images.isEmpty ? 0 : (images.count + columns - 1) / columns)
        var grid = RGBImage(width: columns * cellWidth, height: rows * cellHeight, channels: channels)
        for (index, image) in images.enumerated() {
            let tile = channels == 3 ? image.rgb : image
            let left = (index % columns) * cellWidth
            let top = (index / columns) * cellHeight
            let rowLength = tile.width * channels
            for y in 0..<tile.height {
                let source = y * rowLength
                let target = ((top + y) * grid.width + left) * channels
                grid.pixels.replaceSubrange(target..<target + rowLength, with: tile.pixels[source..<source + rowLength])
            }
        }
        return grid
    }
}
