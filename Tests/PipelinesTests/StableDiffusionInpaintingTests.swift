import Foundation
import ParadiffusePipelines
import ParadiffuseTensors
import Testing

struct StableDiffusionInpaintingTests {
    static let inpaintingPipeline = StableDiffusionFixtures.root.appendingPathComponent("tiny-sd-inpainting")
    static let maskImage = StableDiffusionFixtures.root.appendingPathComponent("mask-image.png")

    private func inputs() throws -> (image: RGBImage, mask: RGBImage) {
        (try RGBImage.readPNG(url: StableDiffusionFixtures.initImage), try RGBImage.readPNG(url: Self.maskImage))
    }

    @Test func inpaintingUNetMatchesDiffusersInpaintPipeline() throws {
        let pipeline = try StableDiffusionPipeline(folder: Self.inpaintingPipeline)
        #expect(pipeline.hasInpaintingUNet)
        let reference = try StableDiffusionFixtures.reference("inpainting")
        let (image, mask) = try inputs()
        let output = try pipeline.inpaint(StableDiffusionFixtures.configuration(width: nil, height: nil),
                                          images: [image], masks: [mask])

        #expect(output.steps == 10)
        #expect(output.latents.maxAbsDifference(try reference.tensor(named: "latents")) <= 1e-3)
        #expect(unitRange(output.images).maxAbsDifference(try reference.tensor(named: "images")) <= 1e-3)
    }

    @Test func blendedInpaintingMatchesDiffusersInpaintPipeline() throws {
        let pipeline = try StableDiffusionPipeline(folder: StableDiffusionFixtures.pipeline)
        #expect(!pipeline.hasInpaintingUNet)
        let reference = try StableDiffusionFixtures.reference("inpainting-blended")
        let (image, mask) = try inputs()
        let output = try pipeline.inpaint(StableDiffusionFixtures.configuration(width: nil, height: nil),
                                          images: [image], masks: [mask], strength: 0.7)

        #expect(output.steps == 7)
        #expect(output.latents.maxAbsDifference(try reference.tensor(named: "latents")) <= 1e-3)
        #expect(unitRange(output.images).maxAbsDifference(try reference.tensor(named: "images")) <= 1e-3)
    }

    @Test func maskIsBinarizedAtOneHalf() throws {
        let mask = RGBImage(width: 4, height: 1, channels: 1, pixels: [0, 127, 128, 255])
        #expect(mask.maskInput.scalars == [0, 0, 1, 1])
    }

    @Test func inpaintingUNetIsRejectedForTextToImage() throws {
        let pipeline = try StableDiffusionPipeline(folder: Self.inpaintingPipeline)
        #expect {
            _ = try pipeline.textToImage(StableDiffusionFixtures.configuration())
        } throws: { error in "\(error)".hasPrefix("unet: ") && "\(error)".contains("takes 9 input channels") }
    }

    @Test func maskOfAnotherSizeIsRejected() throws {
        let pipeline = try StableDiffusionPipeline(folder: Self.inpaintingPipeline)
        let (image, _) = try inputs()
        #expect {
            _ = try pipeline.inpaint(StableDiffusionFixtures.configuration(width: nil, height: nil), images: [image],
                                     masks: [RGBImage(width: 16, height: 16, channels: 1)])
        } throws: { error in "\(error)".hasPrefix("masks: mask 0 is 16x16, the images are 32x32") }
    }
}
