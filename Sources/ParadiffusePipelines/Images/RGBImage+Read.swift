import Foundation
import ParadiffuseLoading

extension RGBImage {
    /// Reads a PNG (`readPNG(url:)`) or a JPEG (`init(jpegData:source:)`), told apart by their first bytes: the PNG
    /// signature or the JPEG start-of-image marker `FF D8 FF`. Any other file is refused, naming it.
    public static func read(url: URL) throws -> RGBImage {
        let data: Data
        do {
            data = try RegularFile.contents(of: url, byteLimit: PNGContents.byteLimit)
        } catch let LoadingError.unreadableFile(_, reason) {
            throw ImageError.unreadableFile(url, reason: reason)
        }
        if data.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            return try PNGContents(data: data, source: url).image
        }
        if data.starts(with: [0xFF, 0xD8, 0xFF]) { return try RGBImage(jpegData: data, source: url) }
        throw ImageError.unsupportedFormat(url)
    }
}
