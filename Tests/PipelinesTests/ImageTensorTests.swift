import Foundation
import ParadiffuseLoading
import Testing
import ParadiffuseTensors
@testable import ParadiffusePipelines

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
