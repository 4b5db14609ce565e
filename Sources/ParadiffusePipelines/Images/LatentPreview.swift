import ParadiffuseTensors

/// The cheap picture of Stable Diffusion-family latents (4 channels, the SD VAE's latent space, which DiT's VAE
/// shares) that ComfyUI and the A1111 web UI show while sampling: each pixel of the latents mapped linearly to RGB
/// with the published SD 1.5 factors, then from [-1, 1] to bytes. An eighth of the image's side, no VAE call.
enum LatentPreview {
    /// Row `c`: latent channel `c`'s weight on red, green and blue.
    static let rgbFactors: [[Float]] = [
        [0.3512, 0.2297, 0.3227],
        [0.3250, 0.4974, 0.2350],
        [-0.2829, 0.1762, 0.2721],
        [-0.2120, -0.2616, -0.7177],
    ]

    /// One RGB image per latent of `latents` `[N, 4, h, w]`, laid out in a grid; other channel counts have no map.
    static func grid(of latents: Tensor) throws -> RGBImage {
        guard latents.rank == 4, latents.shape[1] == rgbFactors.count else {
            throw ImageError.unsupportedTensorShape(latents.shape)
        }
        let (batch, channels, plane) = (latents.shape[0], latents.shape[1], latents.shape[2] * latents.shape[3])
        let values = latents.toRowMajor().scalars
        var rgb = [Float](repeating: 0, count: batch * 3 * plane)
        for item in 0..<batch {
            for channel in 0..<channels {
                for color in 0..<3 {
                    let weight = rgbFactors[channel][color]
                    let source = (item * channels + channel) * plane, target = (item * 3 + color) * plane
                    for pixel in 0..<plane { rgb[target + pixel] += weight * values[source + pixel] }
                }
            }
        }
        let images = try RGBImage.images(fromBatch: Tensor(shape: [batch, 3, latents.shape[2], latents.shape[3]],
                                                           scalars: rgb))
        return RGBImage.grid(images)
    }
}
