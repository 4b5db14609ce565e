import ParadiffuseTensors
import Testing
@testable import ParadiffusePipelines

/// Latent previews map each latent pixel linearly to RGB with the SD 1.5 factors: a latent that is 1 in channel c
/// and 0 elsewhere shows row c of the factors, as an image in [-1, 1].
@Test(arguments: 0..<4) func latentPreviewMapsEachChannelByItsFactors(channel: Int) throws {
    var scalars = [Float](repeating: 0, count: 4)
    scalars[channel] = 1
    let preview = try LatentPreview.grid(of: Tensor(shape: [1, 4, 1, 1], scalars: scalars))
    let expected = try RGBImage(tensor: Tensor(shape: [1, 3, 1, 1], scalars: LatentPreview.rgbFactors[channel]))
    #expect(preview == expected)
}

@Test func latentPreviewOfABatchIsAGridAndNeedsFourChannels() throws {
    let preview = try LatentPreview.grid(of: Tensor(zeros: [3, 4, 8, 8]))
    #expect(preview.width == 16 && preview.height == 16 && preview.channels == 3)
    #expect(throws: ImageError.self) { try LatentPreview.grid(of: Tensor(zeros: [1, 16, 8, 8])) }
}
