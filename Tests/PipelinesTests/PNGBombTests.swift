import Foundation
import ParadiffusePipelines
import Testing

/// A PNG file declaring sides beyond 16384 is refused from its header, before libpng allocates rows for it (the
/// 388-byte file of issue 13 declared 20000×20000 and aborted the run).
@Test func pngDeclaringHugeSidesIsRefusedFromItsHeader() throws {
    func chunk(_ kind: String, _ body: [UInt8]) -> [UInt8] {
        let typed = Array(kind.utf8) + body
        let crc = crc32(typed)
        return bigEndian(UInt32(body.count)) + typed + bigEndian(crc)
    }
    func bigEndian(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
    let header = bigEndian(20_000) + bigEndian(20_000) + [8, 2, 0, 0, 0]
    // The sides are refused at IHDR; the image data never matters (a zlib stream of one empty stored block).
    let bytes = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header)
        + chunk("IDAT", [0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01]) + chunk("IEND", [])
    #expect(bytes.count < 400)
    let source = URL(fileURLWithPath: "/bomb.png")
    #expect {
        try PNGContents(data: Data(bytes), source: source)
    } throws: { error in
        "\(error)".contains("/bomb.png") && "\(error)".contains("Image width exceeds user limit in IHDR")
    }
}

/// A 100-byte file declaring a 16384×16384 image (within the side limit) with 11 bytes of image data is refused
/// before the 805 MB of pixels are allocated (fuzzing found such files growing the process past 2 GB); an image
/// compressed as far as deflate goes still decodes.
@Test func pngWhoseDataCannotHoldItsImageIsRefusedBeforeAllocation() throws {
    func chunk(_ kind: String, _ body: [UInt8]) -> [UInt8] {
        let typed = Array(kind.utf8) + body
        return bigEndian(UInt32(body.count)) + typed + bigEndian(crc32(typed))
    }
    func bigEndian(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
    let bytes = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        + chunk("IHDR", bigEndian(16_384) + bigEndian(16_384) + [8, 2, 0, 0, 0])
        + chunk("IDAT", [0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01]) + chunk("IEND", [])
    #expect {
        try PNGContents(data: Data(bytes), source: URL(fileURLWithPath: "/sparse.png"))
    } throws: { error in
        "\(error)".contains("/sparse.png") && "\(error)".contains("11 bytes of image data cannot hold the 16384 x 16384 image")
    }

    let black = RGBImage(width: 4_096, height: 4_096, channels: 1)
    let encoded = try black.pngData()
    #expect(encoded.count < 4_096 * 4_096 / 500)
    #expect(try PNGContents(data: encoded, source: URL(fileURLWithPath: "/black.png")).image == black)
}

/// The 87-byte file fuzzing found: a tEXt chunk declaring 2 GB, which libpng allocated whole before reading it.
@Test func chunkLongerThanTheFileIsRefusedBeforeLibpngAllocatesIt() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/regressions/png/oom-aac7501a1b4530e8dd7d9e8f63943eda5bfb4913")
    #expect {
        try PNGContents(data: Data(contentsOf: url), source: url)
    } throws: { error in
        "\(error)".hasSuffix("truncated or corrupt: chunk tEXt at byte 33 declares 2113929245 bytes of data, but only 42 follow")
    }
}
