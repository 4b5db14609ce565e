import Foundation
import ParadiffuseLoading
import ParadiffusePipelines
import ParadiffuseTensors
import Testing
import ParadiffuseTestSupport

/// The whole text-to-image pipeline (10 DDIM steps with guidance 7.5) with every model in bfloat16, against diffusers'
/// float32 run. The scheduler and latents stay float32; measured: final latents within 1.5% of their largest magnitude
/// (0.54 of 36.8), images within 0.013 (3.3/255).
struct StableDiffusionBFloat16Tests {
    @Test func textToImageInBFloat16StaysCloseToDiffusersFloat32() throws {
        let pipeline = try StableDiffusionPipeline(folder: StableDiffusionFixtures.pipeline, precision: .bfloat16)
        let reference = try StableDiffusionFixtures.reference("text-to-image")
        let output = try pipeline.textToImage(StableDiffusionFixtures.configuration())
        let expectedLatents = try reference.tensor(named: "latents")
        let expectedImages = try reference.tensor(named: "images")

        #expect(pipeline.unet.precision == bfloat16Here && pipeline.vae.precision == bfloat16Here)
        #expect(output.latents.maxAbsDifference(expectedLatents) <= 0.03 * expectedLatents.maxAbs)
        #expect(unitRange(output.images).maxAbsDifference(expectedImages) <= 0.03)
    }
}
