import Foundation
import ParadiffuseLoading
import Testing
import ParadiffuseTensors
@testable import ParadiffusePipelines

@Test func writtenPNGReadsBackWithTheSamePixels() throws {
    let folder = try ScratchFolder()
    let rgb = RGBImage(width: 5, height: 3, channels: 3, pixels: (0..<45).map { UInt8(($0 * 37) % 256) })
    let gray = RGBImage(width: 4, height: 2, channels: 1, pixels: [0, 1, 127, 128, 200, 254, 255, 9])
    for (name, image) in [("rgb.png", rgb), ("gray.png", gray)] {
        let url = folder.file(name)
        try image.write(to: url)
        #expect(try RGBImage.readPNG(url: url) == image, "\(name)")
    }
}

@Test func textChunksAreWrittenAsTEXtOrITXtAndReadBack() throws {
    let folder = try ScratchFolder()
    let url = folder.file("text.png")
    let chunks = [("parameters", "Steps: 50, Scheduler: ddim, Seed: 42"),
                  ("Comment", "naïve café"),
                  ("prompt", "a cat 🐱 on a mat")]
    try RGBImage(width: 1, height: 1, channels: 3).write(to: url, textChunks: chunks)

    let contents = try PNGContents(url: url)
    #expect(contents.textChunks.map(\.keyword) == chunks.map(\.0))
    #expect(contents.textChunks.map(\.text) == chunks.map(\.1))

    // Independently of libpng: the chunks are there, Latin-1 text as tEXt, the emoji prompt as UTF-8 iTXt.
    let bytes = try Data(contentsOf: url)
    #expect(bytes.range(of: Data("tEXtparameters\0Steps: 50, Scheduler: ddim, Seed: 42".utf8)) != nil)
    #expect(bytes.range(of: Data("tEXtComment\0na".utf8) + Data([0xEF]) + Data("ve caf".utf8) + Data([0xE9])) != nil)
    #expect(bytes.range(of: Data("iTXtprompt\0\0\0\0\0a cat 🐱 on a mat".utf8)) != nil)
}

@Test func invalidTextKeywordsAreRejected() {
    let image = RGBImage(width: 1, height: 1, channels: 1)
    for keyword in ["", String(repeating: "k", count: 80), " lead", "two  spaces", "emoji🐱", "tab\t"] {
        #expect(throws: ImageError.self, "\(keyword)") { try image.pngData(textChunks: [(keyword, "text")]) }
    }
    #expect(throws: ImageError.invalidText(keyword: "nul", reason: "text must not contain NUL characters")) {
        try image.pngData(textChunks: [("nul", "a\0b")])
    }
}

@Test func existingFileIsNotReplacedWithoutOverwrite() throws {
    let folder = try ScratchFolder()
    let url = folder.file("image.png")
    let first = RGBImage(width: 1, height: 1, channels: 1, pixels: [10])
    let second = RGBImage(width: 1, height: 1, channels: 1, pixels: [20])
    try first.write(to: url)
    #expect(throws: FileWriteError.exists(url)) { try second.write(to: url) }
    #expect(try RGBImage.readPNG(url: url) == first)
    #expect(FileWriteError.exists(url).description.contains(url.path))
    try second.write(to: url, overwrite: true)
    #expect(try RGBImage.readPNG(url: url) == second)
    #expect(try folder.contents() == ["image.png"])
}

@Test func atomicWriteLeavesOnlyTheFinalFile() throws {
    let folder = try ScratchFolder()
    try RGBImage(width: 2, height: 2, channels: 3).write(to: folder.file("a.png"))
    try RGBImage(width: 2, height: 2, channels: 3).write(to: folder.file("a.png"), overwrite: true)
    try RGBImage(width: 2, height: 2, channels: 3).write(to: folder.file("b.png"))
    #expect(try folder.contents() == ["a.png", "b.png"])
}

@Test func writingIntoAMissingFolderNamesTheFolder() throws {
    let folder = try ScratchFolder()
    let url = folder.file("missing/image.png")
    #expect(throws: FileWriteError.missingFolder(url)) {
        try RGBImage(width: 1, height: 1, channels: 1).write(to: url)
    }
}

@Test func truncatedPNGIsRejectedNamingTheFile() throws {
    let folder = try ScratchFolder()
    let data = try RGBImage(width: 16, height: 16, channels: 3,
                            pixels: (0..<768).map { UInt8($0 % 251) }).pngData()
    let url = folder.file("truncated.png")
    try data.prefix(data.count / 2).write(to: url)
    let error = try #require(throws: ImageError.self) { try RGBImage.readPNG(url: url) }
    guard case let .invalidPNG(reportedURL, reason) = error else {
        Issue.record("expected invalidPNG, got \(error)")
        return
    }
    #expect(reportedURL == url)
    #expect(reason.contains("truncated"))
    #expect(error.description.hasPrefix("\(url.path) is not a valid PNG image"))
}

@Test func corruptedPNGDataIsRejectedNamingTheFile() throws {
    let folder = try ScratchFolder()
    var data = try RGBImage(width: 8, height: 8, channels: 3).pngData()
    let idat = try #require(data.range(of: Data("IDAT".utf8)))
    data[idat.upperBound + 2] ^= 0xFF
    let url = folder.file("corrupt.png")
    try data.write(to: url)
    let error = try #require(throws: ImageError.self) { try RGBImage.readPNG(url: url) }
    #expect(error.description.contains(url.path))
    guard case .invalidPNG = error else {
        Issue.record("expected invalidPNG, got \(error)")
        return
    }
}

@Test func pngDeclaringAHugeImageIsRejectedBeforeAllocating() throws {
    let folder = try ScratchFolder()
    var data = try RGBImage(width: 1, height: 1, channels: 3).pngData()
    // IHDR starts at byte 8: length (4), "IHDR" (4), width (4), height (4), 5 more bytes, then its CRC.
    for (offset, side) in [(16, 20_000), (20, 20_000)] {
        for byte in 0..<4 { data[offset + byte] = UInt8((side >> (8 * (3 - byte))) & 0xFF) }
    }
    let crc = crc32(data[12..<29])
    for byte in 0..<4 { data[29 + byte] = UInt8((crc >> (8 * (3 - UInt32(byte)))) & 0xFF) }
    let url = folder.file("huge.png")
    try data.write(to: url)
    let error = try #require(throws: ImageError.self) { try RGBImage.readPNG(url: url) }
    guard case .invalidPNG(url, let reason) = error else {
        Issue.record("expected invalidPNG, got \(error)")
        return
    }
    #expect(reason.lowercased().contains("limit") || reason.contains("too large"), "\(reason)")
}


@Test func fileWithoutPNGSignatureIsRejected() throws {
    let folder = try ScratchFolder()
    let url = folder.file("notes.png")
    try Data("just some text".utf8).write(to: url)
    #expect(throws: ImageError.invalidPNG(url, reason: "not a PNG file: the 8-byte PNG signature is missing")) {
        try RGBImage.readPNG(url: url)
    }
    let missing = folder.file("absent.png")
    #expect(throws: ImageError.unreadableFile(missing, reason: "No such file or directory")) { try RGBImage.readPNG(url: missing) }
}


@Test func rgbaAndGrayAlphaAreReadWithAlphaDropped() throws {
    let rgba = HandMadePNG(width: 2, height: 1, bitDepth: 8, colorType: 6, rows: [[10, 20, 30, 255, 40, 50, 60, 0]])
    #expect(try rgba.decoded() == RGBImage(width: 2, height: 1, channels: 3, pixels: [10, 20, 30, 40, 50, 60]))
    let grayAlpha = HandMadePNG(width: 3, height: 1, bitDepth: 8, colorType: 4, rows: [[7, 255, 8, 128, 9, 0]])
    #expect(try grayAlpha.decoded() == RGBImage(width: 3, height: 1, channels: 1, pixels: [7, 8, 9]))
}

@Test func paletteImagesAreExpandedToRGB() throws {
    let palette: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 8, 7]
    // 2 bits per index: one byte holds indices 0, 1, 2, 3; the second row is 3, 2, 1, 0.
    var png = HandMadePNG(width: 4, height: 2, bitDepth: 2, colorType: 3, rows: [[0b00_01_10_11], [0b11_10_01_00]])
    png.chunksBeforeData = [("PLTE", palette), ("tRNS", [0, 128])]
    let image = try png.decoded()
    #expect(image.channels == 3)
    #expect(image.pixels == palette + [9, 8, 7, 0, 0, 255, 0, 255, 0, 255, 0, 0])
}

@Test func lowAndHighBitDepthGrayIsScaledToEightBits() throws {
    let oneBit = HandMadePNG(width: 8, height: 1, bitDepth: 1, colorType: 0, rows: [[0b1010_0001]])
    #expect(try oneBit.decoded().pixels == [255, 0, 255, 0, 0, 0, 0, 255])
    // 16-bit samples k * 257 are exactly k in 8 bits.
    let sixteenBit = HandMadePNG(width: 3, height: 1, bitDepth: 16, colorType: 0, rows: [[0x12, 0x12, 0xAB, 0xAB, 0xFF, 0xFF]])
    #expect(try sixteenBit.decoded().pixels == [0x12, 0xAB, 0xFF])
}

@Test func interlacedImagesAreReadInFull() throws {
    // Adam7 on a 2x2 image: pass 1 holds pixel (0, 0), pass 6 pixel (1, 0), pass 7 the row y = 1; the rest are empty.
    var png = HandMadePNG(width: 2, height: 2, bitDepth: 8, colorType: 0, rows: [[1], [2], [3, 4]])
    png.interlaced = true
    #expect(try png.decoded() == RGBImage(width: 2, height: 2, channels: 1, pixels: [1, 2, 3, 4]))
}

@Test func textChunksAfterTheImageDataAreRead() throws {
    var png = HandMadePNG(width: 1, height: 1, bitDepth: 8, colorType: 0, rows: [[42]])
    png.chunksBeforeData = [("tEXt", Array("Title\0before".utf8))]
    png.chunksAfterData = [("tEXt", Array("Comment\0after".utf8))]
    let contents = try PNGContents(data: png.data, source: URL(fileURLWithPath: "/hand-made.png"))
    #expect(contents.image.pixels == [42])
    #expect(contents.textChunks.map(\.keyword) == ["Title", "Comment"])
    #expect(contents.textChunks.map(\.text) == ["before", "after"])
}
