import Foundation
import Testing
@testable import ParadiffusePipelines

struct ImageResizeTests {
    @Test(arguments: ["rgb", "gray"])
    func lanczosResizingEqualsPillowByteForByte(mode: String) throws {
        let source = try RGBImage.readPNG(url: ImageInputFixtures.file("source-\(mode).png"))
        for (width, height) in ImageInputFixtures.resizeSizes {
            let expected = try RGBImage.readPNG(url: ImageInputFixtures.file("resize-\(mode)-\(width)x\(height).png"))
            #expect(source.resized(width: width, height: height) == expected, "\(mode) \(width)x\(height)")
        }
    }

    @Test func resizingToTheSameSizeKeepsTheImage() throws {
        let source = try RGBImage.readPNG(url: ImageInputFixtures.file("source-rgb.png"))
        #expect(source.resized(width: source.width, height: source.height) == source)
    }

    @Test func grayConversionIsPillows() {
        let image = RGBImage(width: 3, height: 1, channels: 3, pixels: [255, 0, 0, 0, 255, 0, 10, 20, 30])
        #expect(image.gray.pixels == [76, 150, 18])
        #expect(image.gray.gray == image.gray)
    }
}
