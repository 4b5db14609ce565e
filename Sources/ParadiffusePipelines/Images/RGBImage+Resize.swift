extension RGBImage {
    /// The image resized as Pillow 13's `Image.resize((width, height), Image.LANCZOS)` does, byte for byte: two
    /// passes, each rounded to 8 bits, a side that keeps its size skipping its pass. The horizontal pass comes first
    /// (over the rows the vertical pass reads) unless the height shrinks by more than twice as many pixels as the
    /// width. `width` and `height` are positive.
    func resized(width: Int, height: Int) -> RGBImage {
        let shrunkRows = self.height - height
        guard !(shrunkRows > 0 && shrunkRows > (self.width - width) * 2) else {
            let rows = verticallyResized(height: height)
            return rows.horizontallyResized(width: width, rows: 0..<rows.height)
        }
        guard width != self.width else { return verticallyResized(height: height) }
        let vertical = ResamplingWeights(inputSize: self.height, outputSize: height)
        let (first, last) = (vertical.starts[0], vertical.starts[height - 1] + vertical.counts[height - 1])
        let columns = horizontallyResized(width: width, rows: first..<last)
        return height == self.height ? columns : columns.verticallyResized(weights: vertical, rowOffset: first)
    }

    /// The rows `rows` resized to `width` columns (the image itself when `width` is its width).
    private func horizontallyResized(width: Int, rows: Range<Int>) -> RGBImage {
        guard width != self.width else { return self }
        let horizontal = ResamplingWeights(inputSize: self.width, outputSize: width)
        var output = [UInt8](repeating: 0, count: rows.count * width * channels)
        pixels.withUnsafeBufferPointer { input in
            for (outputRow, row) in rows.enumerated() {
                let rowStart = row * self.width * channels
                for column in 0..<width {
                    for channel in 0..<channels {
                        output[(outputRow * width + column) * channels + channel] = horizontal.resample(column) {
                            input[rowStart + $0 * channels + channel]
                        }
                    }
                }
            }
        }
        return RGBImage(width: width, height: rows.count, channels: channels, pixels: output)
    }

    /// The image resized to `height` rows (itself when `height` is its height).
    private func verticallyResized(height: Int) -> RGBImage {
        guard height != self.height else { return self }
        return verticallyResized(weights: ResamplingWeights(inputSize: self.height, outputSize: height), rowOffset: 0)
    }

    /// The vertical pass, over an image whose first row is the input's row `rowOffset`.
    private func verticallyResized(weights: ResamplingWeights, rowOffset: Int) -> RGBImage {
        let (height, rowSamples) = (weights.starts.count, width * channels)
        var output = [UInt8](repeating: 0, count: height * rowSamples)
        pixels.withUnsafeBufferPointer { input in
            for row in 0..<height {
                for sample in 0..<rowSamples {
                    output[row * rowSamples + sample] = weights.resample(row) { input[($0 - rowOffset) * rowSamples + sample] }
                }
            }
        }
        return RGBImage(width: width, height: height, channels: channels, pixels: output)
    }
}
