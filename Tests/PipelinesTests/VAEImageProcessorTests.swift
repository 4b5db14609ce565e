import Foundation
import ParadiffuseLoading
import ParadiffuseTensors
import Testing
@testable import ParadiffusePipelines

struct VAEImageProcessorTests {
    private let reference: SafetensorsFile
    private let rgb: RGBImage
    private let gray: RGBImage
    private let images = VAEImageProcessor(kind: .image, vaeScaleFactor: 8)
    private let masks = VAEImageProcessor(kind: .mask, vaeScaleFactor: 8)

    init() throws {
        reference = try SafetensorsFile(url: ImageInputFixtures.file("preprocess.safetensors"))
        rgb = try RGBImage.readPNG(url: ImageInputFixtures.file("source-rgb.png"))
        gray = try RGBImage.readPNG(url: ImageInputFixtures.file("source-gray.png"))
    }

    @Test func imageToImageInputIsResizedDownToAMultipleOfTheVAEFactor() throws {
        let input = try images.preprocess([rgb], parameter: "images")
        #expect(input.shape == [1, 3, 24, 32])
        #expect(input.maxAbsDifference(try reference.tensor(named: "img2img")) <= 1e-6)
    }

    @Test func inpaintingImageAndMasksAreResizedToTheRequestedSize() throws {
        let image = try images.preprocess([rgb], height: 40, width: 24, parameter: "images")
        #expect(image.maxAbsDifference(try reference.tensor(named: "inpainting_image")) <= 1e-6)
        for (name, mask) in [("inpainting_mask_rgb", rgb), ("inpainting_mask_gray", gray)] {
            let input = try masks.preprocess([mask], height: 40, width: 24, parameter: "masks")
            #expect(input.shape == [1, 1, 40, 24])
            #expect(input.maxAbsDifference(try reference.tensor(named: name)) == 0, "\(name)")
        }
    }

    @Test func maskIsBinarizedAtOneHalf() throws {
        let mask = RGBImage(width: 4, height: 1, channels: 1, pixels: [0, 127, 128, 255])
        let processor = VAEImageProcessor(kind: .mask, vaeScaleFactor: 1)
        #expect(try processor.preprocess([mask], parameter: "masks").scalars == [0, 0, 1, 1])
    }

    @Test func imageSmallerThanTheVAEFactorIsRejected() {
        #expect {
            _ = try images.preprocess([RGBImage(width: 7, height: 30, channels: 3)], parameter: "images")
        } throws: { error in
            "\(error)" == "images: the width 7 rounded down to a multiple of 8, the VAE's downsampling factor, leaves no pixel"
        }
    }
}
