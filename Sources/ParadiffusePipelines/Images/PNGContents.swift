import CPNGShim
import Foundation
import ParadiffuseLoading
import ParadiffuseTensors

/// A decoded PNG: its pixels as 8-bit gray or RGB (see `RGBImage.readPNG(url:)`) and its text chunks in file order.
public struct PNGContents {
    public let image: RGBImage
    public let textChunks: [(keyword: String, text: String)]
    /// Four times an uncompressed RGBA image of the largest side allowed (16384²).
    static let byteLimit = 4 << 30

    public init(url: URL) throws {
        let data: Data
        do {
            data = try RegularFile.contents(of: url, byteLimit: Self.byteLimit)
        } catch let LoadingError.unreadableFile(_, reason) {
            throw ImageError.unreadableFile(url, reason: reason)
        }
        try self.init(data: data, source: url)
    }

    /// Decodes PNG bytes; `source` names them in errors.
    public init(data: Data, source: URL) throws {
        var decoded = pd_png_image()
        var message = [CChar](repeating: 0, count: 512)
        let status = data.withUnsafeBytes { bytes in
            pd_png_decode(bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count, &decoded, &message, message.count)
        }
        guard status == 0 else { throw ImageError.invalidPNG(source, reason: String(cBuffer: message)) }
        defer { pd_png_image_free(&decoded) }

        let (width, height, channels) = (Int(decoded.width), Int(decoded.height), Int(decoded.channels))
        image = RGBImage(width: width, height: height, channels: channels,
                         pixels: Array(UnsafeBufferPointer(start: decoded.pixels, count: width * height * channels)))
        textChunks = (0..<Int(decoded.text_count)).map { index in
            let chunk = decoded.texts[index]
            let text = UnsafeRawBufferPointer(start: chunk.text, count: chunk.text_length)
            return (keyword: Self.latin1(UnsafeRawBufferPointer(start: chunk.keyword, count: strlen(chunk.keyword))),
                    text: chunk.is_utf8 != 0 ? String(decoding: text, as: UTF8.self) : Self.latin1(text))
        }
    }

    private static func latin1(_ bytes: UnsafeRawBufferPointer) -> String {
        String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }
}
