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
}
