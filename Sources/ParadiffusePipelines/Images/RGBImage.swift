/// An 8-bit image: rows top to bottom, pixels left to right, `channels` interleaved samples per pixel.
public struct RGBImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// 1 for gray, 3 for RGB.
    public let channels: Int
    /// `height * width * channels` samples; the sample `c` of pixel (x, y) is at `(y * width + x) * channels + c`.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0, "image size \(width)x\(height)")
        precondition(channels == 1 || channels == 3, "an image has 1 (gray) or 3 (RGB) channels, not \(channels)")
        precondition(pixels.count == width * height * channels,
                     "\(pixels.count) samples do not fill a \(width)x\(height) image of \(channels) channels")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// A black image.
    public init(width: Int, height: Int, channels: Int) {
        self.init(width: width, height: height, channels: channels,
                  pixels: [UInt8](repeating: 0, count: width * height * channels))
    }

    /// The samples of pixel (x, y).
    public subscript(x: Int, y: Int) -> ArraySlice<UInt8> {
        let start = (y * width + x) * channels
        return pixels[start..<start + channels]
    }

    /// The image with three channels: gray samples repeated as R, G and B.
    public var rgb: RGBImage {
        guard channels == 1 else { return self }
        return RGBImage(width: width, height: height, channels: 3, pixels: pixels.flatMap { [$0, $0, $0] })
    }

    /// The image with one channel: RGB converted as PIL's `convert("L")` does, `(19595 R + 38470 G + 7471 B + 2^15) >> 16`.
    public var gray: RGBImage {
        guard channels == 3 else { return self }
        let samples = (0..<width * height).map { pixel in
            let (red, green, blue) = (UInt32(pixels[3 * pixel]), UInt32(pixels[3 * pixel + 1]), UInt32(pixels[3 * pixel + 2]))
            return UInt8((19595 * red + 38470 * green + 7471 * blue + 0x8000) >> 16)
        }
        return RGBImage(width: width, height: height, channels: 1, pixels: samples)
    }
}
