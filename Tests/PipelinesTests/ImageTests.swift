import Foundation
import ParadiffuseLoading
import Testing
import ParadiffuseTensors
@testable import ParadiffusePipelines

// MARK: - Tensor to image

@Test func minusOneToOneSamplesRoundAsDiffusersPostprocessing() throws {
    // Expected bytes from diffusers' rule in float32, `((x / 2 + 0.5).clamp(0, 1) * 255).round()` (NumPy rounds
    // halves to even): -0.4 → 76.5 → 76, 0.4 → 178.5 → 178, 0.8 → 229.5 → 230, 0 → 127.5 → 128.
    let samples: [Float] = [-1, 1, 0, -0.4, 0.4, 0.8, -2, 2, .nan, -0.999, 0.999]
    let image = try RGBImage(tensor: Tensor(shape: [1, 1, samples.count], scalars: samples))
    #expect(image.channels == 1)
    #expect(image.width == samples.count && image.height == 1)
    #expect(image.pixels == [0, 255, 128, 76, 178, 230, 0, 255, 0, 0, 255])
}

@Test func zeroToOneSamplesRoundHalvesToEven() throws {
    // 0.3 * 255 = 76.5 → 76, 0.7 * 255 = 178.5 → 178, 0.0098039215 * 255 = 2.5 → 2, 0.1 * 255 = 25.5 → 26 (float32).
    let samples: [Float] = [0, 1, 0.3, 0.7, 0.0098039215, 0.1, 1.5, -0.5]
    let image = try RGBImage(tensor: Tensor(shape: [1, 1, samples.count], scalars: samples), range: .zeroToOne)
    #expect(image.pixels == [0, 255, 76, 178, 2, 26, 255, 0])
}

@Test func channelPlanesAreInterleavedIntoPixels() throws {
    // [C=3, H=2, W=2] in [0, 1]; sample values chosen as exact multiples of 1/255.
    let planes: [[Float]] = [[1, 2, 3, 4], [11, 12, 13, 14], [21, 22, 23, 24]]
    let tensor = Tensor(shape: [3, 2, 2], scalars: planes.flatMap { $0.map { $0 / 255 } })
    let image = try RGBImage(tensor: tensor, range: .zeroToOne)
    #expect(image.width == 2 && image.height == 2 && image.channels == 3)
    #expect(Array(image[0, 0]) == [1, 11, 21])
    #expect(Array(image[1, 0]) == [2, 12, 22])
    #expect(Array(image[0, 1]) == [3, 13, 23])
    #expect(Array(image[1, 1]) == [4, 14, 24])
}

@Test func channelsLastBatchGivesTheSameImagesAsRowMajor() throws {
    let (batch, channels, height, width) = (2, 3, 2, 3)
    let logical = (0..<batch * channels * height * width).map { Float($0 % 17) / 8 - 1 }
    let rowMajor = Tensor(shape: [batch, channels, height, width], scalars: logical)
    var channelsLast = Tensor(uninitializedShape: [batch, channels, height, width], layout: .channelsLast)
    channelsLast.withUnsafeMutableBufferPointer { memory in
        for n in 0..<batch { for c in 0..<channels { for y in 0..<height { for x in 0..<width {
            memory[((n * height + y) * width + x) * channels + c] = logical[((n * channels + c) * height + y) * width + x]
        } } } }
    }
    let expected = try RGBImage.images(fromBatch: rowMajor)
    #expect(expected.count == 2)
    #expect(try RGBImage.images(fromBatch: channelsLast) == expected)
    #expect(try RGBImage(tensor: rowMajor.batchItem(1)) == expected[1])
}

@Test func tensorsThatAreNotOneGrayOrRGBImageAreRejected() {
    #expect(throws: ImageError.unsupportedTensorShape([2, 3, 4, 4])) {
        try RGBImage(tensor: Tensor(zeros: [2, 3, 4, 4]))
    }
    #expect(throws: ImageError.unsupportedTensorShape([4, 8, 8])) {
        try RGBImage(tensor: Tensor(zeros: [4, 8, 8]))
    }
    #expect(throws: ImageError.unsupportedTensorShape([8, 8])) {
        try RGBImage(tensor: Tensor(zeros: [8, 8]))
    }
}

// MARK: - PNG writing and reading

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

/// The CRC-32 of PNG chunks (ISO 3309).
private func crc32(_ bytes: Data) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
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

// MARK: - Reading colour types the writer never produces

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

// MARK: - Grids

@Test func gridTilesImagesRowMajorWithBlackCells() {
    let images = (1...5).map { RGBImage(width: 1, height: 1, channels: 3, pixels: [UInt8($0), 0, 0]) }
    let grid = RGBImage.grid(images)  // ⌈√5⌉ = 3 columns, 2 rows
    #expect(grid.width == 3 && grid.height == 2 && grid.channels == 3)
    #expect(stride(from: 0, to: grid.pixels.count, by: 3).map { grid.pixels[$0] } == [1, 2, 3, 4, 5, 0])

    let twoColumns = RGBImage.grid(images, columns: 2)
    #expect(twoColumns.width == 2 && twoColumns.height == 3)
    #expect(stride(from: 0, to: twoColumns.pixels.count, by: 3).map { twoColumns.pixels[$0] } == [1, 2, 3, 4, 5, 0])
}

@Test func gridPlacesEachImageInItsCell() {
    let first = RGBImage(width: 2, height: 2, channels: 3, pixels: (0..<12).map { UInt8($0 + 1) })
    let second = RGBImage(width: 2, height: 2, channels: 3, pixels: (0..<12).map { UInt8($0 + 101) })
    let grid = RGBImage.grid([first, second, first, second])
    #expect(grid.width == 4 && grid.height == 4)
    for y in 0..<2 {
        for x in 0..<2 {
            #expect(grid[x, y] == first[x, y])
            #expect(grid[x + 2, y] == second[x, y])
            #expect(grid[x, y + 2] == first[x, y])
            #expect(grid[x + 2, y + 2] == second[x, y])
        }
    }
}

@Test func gridOfGrayAndRGBImagesIsRGB() {
    let gray = RGBImage(width: 1, height: 1, channels: 1, pixels: [77])
    let red = RGBImage(width: 1, height: 1, channels: 3, pixels: [255, 0, 0])
    let grid = RGBImage.grid([gray, red], columns: 2)
    #expect(grid.pixels == [77, 77, 77, 255, 0, 0])
    #expect(RGBImage.grid([gray, gray]).channels == 1)
}

// MARK: - Output files and parameters

@Test func outputFilesAreNumberedForSeveralImages() throws {
    let folder = URL(fileURLWithPath: "/tmp/out", isDirectory: true)
    let single = OutputFiles(output: folder.appendingPathComponent("cat.png"), count: 1, grid: false)
    #expect(single.images.map(\.lastPathComponent) == ["cat.png"])
    #expect(single.grid == nil)
    let several = OutputFiles(output: folder.appendingPathComponent("cat.png"), count: 3, grid: true,
                              latents: folder.appendingPathComponent("latents.safetensors"))
    #expect(several.images.map(\.lastPathComponent) == ["cat-0.png", "cat-1.png", "cat-2.png"])
    #expect(several.grid?.lastPathComponent == "cat-grid.png")
    #expect(several.all.map(\.lastPathComponent)
        == ["cat-0.png", "cat-1.png", "cat-2.png", "cat-grid.png", "latents.safetensors"])
    #expect(several.all.allSatisfy { $0.deletingLastPathComponent().path == "/tmp/out" })
}

@Test func outputCheckRefusesExistingFilesBeforeAnyWork() throws {
    let folder = try ScratchFolder()
    let files = OutputFiles(output: folder.file("out.png"), count: 2, grid: true)
    try files.checkWritable(overwrite: false)
    try Data().write(to: folder.file("out-grid.png"))
    #expect(throws: FileWriteError.exists(folder.file("out-grid.png"))) { try files.checkWritable(overwrite: false) }
    try files.checkWritable(overwrite: true)
    let elsewhere = OutputFiles(output: folder.file("nowhere/out.png"), count: 1, grid: false)
    #expect(throws: FileWriteError.missingFolder(folder.file("nowhere/out.png"))) {
        try elsewhere.checkWritable(overwrite: true)
    }
}

@Test func everyOutputRefusesAnExistingFileWithoutOverwrite() throws {
    let folder = try ScratchFolder()
    let files = OutputFiles(output: folder.file("out.png"), count: 1, grid: true,
                            latents: folder.file("latents.safetensors"), trajectory: folder.file("run.safetensors"),
                            statistics: folder.file("stats.json"))
    #expect(files.all.count == 5)
    for url in files.all {
        try Data("keep".utf8).write(to: url)
        #expect(throws: FileWriteError.exists(url)) { try files.checkWritable(overwrite: false) }
        try files.checkWritable(overwrite: true)
        try FileManager.default.removeItem(at: url)
    }
}

@Test func twoOutputsNamingOneFileAreAnError() throws {
    let folder = try ScratchFolder()
    let same = OutputFiles(output: folder.file("out.png"), count: 1, grid: false,
                           latents: folder.file("x.safetensors"), trajectory: folder.file("./x.safetensors"))
    #expect(throws: FileWriteError.sameFile(folder.file("x.safetensors"), folder.file("./x.safetensors"))) {
        try same.checkWritable(overwrite: true)
    }
    let image = OutputFiles(output: folder.file("out.png"), count: 1, grid: false, statistics: folder.file("out.png"))
    #expect(throws: FileWriteError.self) { try image.checkWritable(overwrite: true) }
}

@Test func aFolderIsNeverAnOutputFile() throws {
    let folder = try ScratchFolder()
    try FileManager.default.createDirectory(at: folder.file("taken.png"), withIntermediateDirectories: false)
    #expect(throws: FileWriteError.isFolder(folder.file("taken.png"))) {
        try OutputFiles(output: folder.file("taken.png"), count: 1, grid: false).checkWritable(overwrite: true)
    }
}

@Test func writtenFilesKeepAnExistingFileAndLeaveNoTemporaryFiles() throws {
    let folder = try ScratchFolder()
    let url = folder.file("stats.json")
    try Data("keep".utf8).write(to: url)
    #expect(throws: FileWriteError.exists(url)) { try AtomicFile.write(Data("new".utf8), to: url, overwrite: false) }
    #expect(try Data(contentsOf: url) == Data("keep".utf8))
    try AtomicFile.write(Data("new".utf8), to: url, overwrite: true)
    #expect(try Data(contentsOf: url) == Data("new".utf8))
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["stats.json"])
}

@Test func generationParametersFormATextChunk() {
    let parameters = GenerationParameters(model: "ddpm-cifar10-32", scheduler: "ddim", steps: 50, seed: 42,
                                          width: 32, height: 32, eta: 0.5, batchPosition: (index: 1, count: 4))
    #expect(parameters.text
        == "Steps: 50, Scheduler: ddim, Eta: 0.5, Seed: 42, Size: 32x32, Model: ddpm-cifar10-32, Batch: 2 of 4")
    #expect(parameters.pngTextChunks.map(\.0) == ["parameters", "Software"])
}

// MARK: - Helpers

/// A fresh folder under the system's temporary directory, removed when the value goes away.
private final class ScratchFolder {
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
private struct HandMadePNG {
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
            bytes += Self.bigEndian(UInt32(body.count)) + typed + Self.bigEndian(Self.crc32(typed))
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

    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
