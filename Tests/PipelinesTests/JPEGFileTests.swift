import Foundation
import Testing
@testable import ParadiffusePipelines

struct JPEGFileTests {
    @Test(arguments: ImageInputFixtures.jpegNames)
    func decodingEqualsPillowByteForByte(name: String) throws {
        let image = try RGBImage.read(url: ImageInputFixtures.file("\(name).jpg"))
        let expected = try RGBImage.readPNG(url: ImageInputFixtures.file("\(name).jpg.png"))
        #expect(image == expected)
        #expect(image.channels == (name.hasPrefix("gray") ? 1 : 3))
    }

    @Test func truncatedJPEGIsATypedErrorNamingTheFile() throws {
        let folder = try ScratchFolder()
        let whole = try Data(contentsOf: ImageInputFixtures.file("progressive.jpg"))
        for length in [3, 20, whole.count / 2, whole.count - 40] {
            let url = folder.file("truncated-\(length).jpg")
            try whole.prefix(length).write(to: url)
            let error = try #require(throws: ImageError.self) { try RGBImage.read(url: url) }
            guard case .invalidJPEG(url, _) = error else { Issue.record("\(error)"); continue }
            #expect(error.description.hasPrefix("\(url.path) is not a readable JPEG image: "))
        }
    }

    @Test func corruptHeaderIsATypedError() throws {
        var bytes = [UInt8](try Data(contentsOf: ImageInputFixtures.file("baseline.jpg")))
        for index in 4..<min(bytes.count, 200) { bytes[index] = UInt8(truncatingIfNeeded: index &* 37) }
        #expect(throws: ImageError.self) { try RGBImage(jpegData: Data(bytes), source: URL(fileURLWithPath: "/corrupt.jpg")) }
    }

    @Test func sideBeyondTheLimitIsRefusedBeforeDecoding() throws {
        var bytes = [UInt8](try Data(contentsOf: ImageInputFixtures.file("baseline.jpg")))
        let frame = try #require((0..<bytes.count - 1).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        (bytes[frame + 7], bytes[frame + 8]) = (0x4E, 0x20)  // width 20000
        let source = URL(fileURLWithPath: "/wide.jpg")
        #expect(throws: ImageError.invalidJPEG(source, reason: "the image is 20000 x 17; sides beyond 16384 are not read")) {
            try RGBImage(jpegData: Data(bytes), source: source)
        }
    }

    @Test func cmykJPEGIsRefused() throws {
        let url = ImageInputFixtures.file("cmyk.jpg")
        #expect(throws: ImageError.invalidJPEG(url, reason: "CMYK and YCCK JPEGs are not supported: convert the image to RGB")) {
            try RGBImage.read(url: url)
        }
    }

    @Test func otherFormatsAreRefusedNamingTheFile() throws {
        let folder = try ScratchFolder()
        let url = folder.file("image.gif")
        try Data("GIF89a".utf8).write(to: url)
        let error = try #require(throws: ImageError.self) { try RGBImage.read(url: url) }
        #expect(error == .unsupportedFormat(url))
        #expect(error.description.contains(url.path) && error.description.contains("PNG nor a JPEG"))
    }

    @Test func pngIsReadByTheSameEntryPoint() throws {
        let url = ImageInputFixtures.file("source-rgb.png")
        #expect(try RGBImage.read(url: url) == RGBImage.readPNG(url: url))
    }
}
