import Foundation
@testable import ParadiffusePipelines

/// A fresh folder under the system's temporary directory, removed when the value goes away.
final class ScratchFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ImageTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    func contents() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// A PNG assembled byte by byte (stored, uncompressed deflate blocks; no row filters), to test the reader on
/// colour types and chunk placements independently of libpng's writer.
struct HandMadePNG {
    let width: Int
    let height: Int
    let bitDepth: UInt8
    /// 0 gray, 2 RGB, 3 palette, 4 gray + alpha, 6 RGBA.
    let colorType: UInt8
    /// Packed samples of each scanline in stream order (for Adam7, pass by pass), without the filter byte.
    let rows: [[UInt8]]
    var interlaced = false
    var chunksBeforeData: [(String, [UInt8])] = []
    var chunksAfterData: [(String, [UInt8])] = []

    init(width: Int, height: Int, bitDepth: UInt8, colorType: UInt8, rows: [[UInt8]]) {
        (self.width, self.height, self.bitDepth, self.colorType, self.rows) = (width, height, bitDepth, colorType, rows)
    }

    func decoded() throws -> RGBImage {
        try PNGContents(data: data, source: URL(fileURLWithPath: "/hand-made.png")).image
    }

    var data: Data {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let header = Self.bigEndian(UInt32(width)) + Self.bigEndian(UInt32(height)) + [bitDepth, colorType, 0, 0, interlaced ? 1 : 0]
        let chunks = [("IHDR", header)] + chunksBeforeData + [("IDAT", zlibStored(rows.flatMap { [0] + $0 }))]
            + chunksAfterData + [("IEND", [])]
        for (type, body) in chunks {
            let typed = Array(type.utf8) + body
            bytes += Self.bigEndian(UInt32(body.count)) + typed + Self.bigEndian(crc32(typed))
        }
        return Data(bytes)
    }

    private func zlibStored(_ raw: [UInt8]) -> [UInt8] {
        precondition(raw.count <= 65_535, "one stored block only")
        let length = UInt16(raw.count)
        var stream: [UInt8] = [0x78, 0x01, 1, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
        stream += raw
        var (a, b): (UInt32, UInt32) = (1, 0)
        for byte in raw {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return stream + Self.bigEndian(b << 16 | a)
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

}

/// The CRC-32 of PNG chunks (ISO 3309, reflected polynomial 0xEDB88320).
func crc32<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}
