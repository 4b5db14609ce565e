import CJPEGShim
import Foundation
import ParadiffuseTensors

extension RGBImage {
    /// Decodes a baseline or progressive JPEG as PIL's `Image.open` does with libjpeg-turbo (accurate integer IDCT,
    /// fancy upsampling): gray JPEGs to gray, colour ones to RGB, so that `rgb` equals PIL's `convert("RGB")`.
    /// CMYK and YCCK JPEGs, sides beyond 16384 and files that end before their image are refused; warnings about
    /// corrupt data are ignored as PIL ignores them. `source` names the bytes in errors.
    public init(jpegData data: Data, source: URL) throws {
        var decoded = pd_jpeg_image()
        var message = [CChar](repeating: 0, count: 512)
        let status = data.withUnsafeBytes { bytes in
            pd_jpeg_decode(bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count, &decoded, &message, message.count)
        }
        guard status == 0 else { throw ImageError.invalidJPEG(source, reason: String(cBuffer: message)) }
        defer { pd_jpeg_image_free(&decoded) }
        let (width, height, channels) = (Int(decoded.width), Int(decoded.height), Int(decoded.channels))
        self.init(width: width, height: height, channels: channels,
                  pixels: Array(UnsafeBufferPointer(start: decoded.pixels, count: width * height * channels)))
    }
}
