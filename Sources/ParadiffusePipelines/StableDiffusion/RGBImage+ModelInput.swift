import ParadiffuseTensors

extension RGBImage {
    /// The image as a VAE takes it, `[1, 3, H, W]` in [-1, 1]: diffusers' `VaeImageProcessor.preprocess` of a PIL
    /// image without resizing (`x / 255`, then `2x − 1`, in float32). Gray images are repeated as R, G and B.
    public var modelInput: Tensor {
        let image = rgb
        let planeSize = width * height
        var scalars = [Float](repeating: 0, count: 3 * planeSize)
        for pixel in 0..<planeSize {
            for channel in 0..<3 {
                let unit = Float(image.pixels[pixel * 3 + channel]) / 255
                scalars[channel * planeSize + pixel] = 2 * unit - 1
            }
        }
        return Tensor(shape: [1, 3, height, width], scalars: scalars)
    }
}
