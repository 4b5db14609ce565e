import CPNGShim
import Foundation
import ParadiffuseLoading
import ParadiffuseTensors

extension RGBImage {
    /// The image as an 8-bit gray or RGB PNG with one text chunk per (keyword, text) pair, in order.
    ///
    /// Keywords must be 1–79 Latin-1 characters (PNG's rule). Text representable in Latin-1 goes into a tEXt
    /// chunk; other text (e.g. a prompt with emoji) into an uncompressed iTXt chunk as UTF-8.
    public func pngData(textChunks: [(String, String)] = []) throws -> Data {
        let chunks = try textChunks.map { try PNGTextChunk(keyword: $0.0, text: $0.1) }
        var strings: [CChar] = []
        var offsets: [(keyword: Int, text: Int)] = []
        for chunk in chunks {
            offsets.append((keyword: strings.count, text: strings.count + chunk.keyword.count + 1))
            strings += chunk.keyword.map { CChar(bitPattern: $0) } + [0]
            strings += chunk.text.map { CChar(bitPattern: $0) } + [0]
        }
        var message = [CChar](repeating: 0, count: 512)
        var encoded: UnsafeMutablePointer<UInt8>?
        var encodedCount = 0
        let status = strings.withUnsafeBufferPointer { stringBase in
            var texts = zip(chunks, offsets).map { chunk, offset in
                pd_png_text(keyword: stringBase.baseAddress! + offset.keyword, text: stringBase.baseAddress! + offset.text,
                            text_length: chunk.text.count, is_utf8: chunk.isUTF8 ? 1 : 0)
            }
            return pixels.withUnsafeBufferPointer { samples in
                pd_png_encode(samples.baseAddress, UInt32(width), UInt32(height), Int32(channels),
                              &texts, Int32(texts.count), &encoded, &encodedCount, &message, message.count)
            }
        }
        guard status == 0, let encoded else { throw ImageError.encodingFailed(reason: String(cBuffer: message)) }
        defer { pd_png_free(encoded) }
        return Data(bytes: encoded, count: encodedCount)
    }

    /// Writes the image as a PNG (see `pngData(textChunks:)`) atomically: a temporary file in the same folder is
    /// renamed into place, so `url` never holds a partial image. Refuses to replace an existing file unless
    /// `overwrite` is true.
    public func write(to url: URL, textChunks: [(String, String)] = [], overwrite: Bool = false) throws {
        let data: Data
        do {
            data = try pngData(textChunks: textChunks)
        } catch let error as ImageError {
            throw FileWriteError.writeFailed(url, reason: error.description)
        }
        try AtomicFile.write(data, to: url, overwrite: overwrite)
    }

    /// Reads an 8-bit or 16-bit PNG of any colour type as gray (gray, gray + alpha) or RGB (RGB, RGBA, palette).
    /// Alpha is dropped, as PIL's `convert("RGB")` does.
    public static func readPNG(url: URL) throws -> RGBImage {
        try PNGContents(url: url).image
    }
}
