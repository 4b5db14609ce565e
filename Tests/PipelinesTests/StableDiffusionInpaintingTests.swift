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

    @Test func inpaintingUNetIsRejectedForTextToImage() throws {
        let pipeline = try StableDiffusionPipeline(folder: Self.inpaintingPipeline)
        #expect {
            _ = try pipeline.textToImage(StableDiffusionFixtures.configuration())
        } throws: { error in "\(error)".hasPrefix("unet: ") && "\(error)".contains("takes 9 input channels") }
    }

    @Test func imageAndMaskAreResizedToTheRequestedSize() throws {
        let pipeline = try StableDiffusionPipeline(folder: Self.inpaintingPipeline)
        let image = try RGBImage.readPNG(url: ImageInputFixtures.file("source-rgb.png"))
        let mask = try RGBImage.readPNG(url: ImageInputFixtures.file("source-gray.png"))
        var configuration = StableDiffusionFixtures.configuration(width: 24, height: 16)
        configuration.steps = 2
        let output = try pipeline.inpaint(configuration, images: [image], masks: [mask])
        #expect(output.images.shape == [4, 3, 16, 24])
    }

    @Test func maskCountMustBeOneOrOnePerImage() throws {
        let pipeline = try StableDiffusionPipeline(folder: Self.inpaintingPipeline)
        let (image, mask) = try inputs()
        #expect {
            _ = try pipeline.inpaint(StableDiffusionFixtures.configuration(width: nil, height: nil), images: [image],
                                     masks: [mask, mask])
        } throws: { error in "\(error)".hasPrefix("masks: 2 masks for 1 images") }
    }

    @Test func sideOfNoMultipleOfTheVAEFactorIsRejected() throws {
        let pipeline = try StableDiffusionPipeline(folder: Self.inpaintingPipeline)
        let (image, mask) = try inputs()
        #expect {
            _ = try pipeline.inpaint(StableDiffusionFixtures.configuration(width: 31, height: 32), images: [image],
                                     masks: [mask])
        } throws: { error in "\(error)".hasPrefix("width: is 31; it must be a positive multiple of 2") }
    }
}
