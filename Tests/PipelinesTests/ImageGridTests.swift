import Foundation
import ParadiffuseLoading
import Testing
import ParadiffuseTensors
@testable import ParadiffusePipelines

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
