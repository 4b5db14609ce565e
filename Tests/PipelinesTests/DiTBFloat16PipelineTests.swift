import Foundation
import ParadiffuseLoading
import ParadiffusePipelines
import ParadiffuseTensors
import Testing
import ParadiffuseTestSupport

/// DiTPipeline with the transformer and VAE in bfloat16 (10 DDIM steps, guidance 4, classes 207 and 1) against
/// diffusers' float32 run; the scheduler and latents stay float32. Measured: the decoder input within 0.06% of its
/// largest magnitude (0.58 of 955), images within 0.010 of their [-1, 1] range (the Stable Diffusion bf16 test's
/// bound is 0.03 for both).
struct DiTBFloat16PipelineTests {
    @Test func guidedRunInBFloat16StaysCloseToDiffusersFloat32() throws {
        let pipeline = try DiTPipeline(folder: DiTPipelineTests.folder, precision: .bfloat16)
        let reference = try SafetensorsFile(url: DiTPipelineTests.run("ddim10"))
        let configuration = DiTPipeline.Configuration(
            classLabels: try reference.tensor(named: "class_labels").scalars.map { Int($0) }, guidanceScale: 4,
            steps: 10, seed: UInt64(try reference.tensor(named: "seed").scalars[0]))

        let output = try pipeline.generate(configuration)

        let decoderInput = (1 / pipeline.vae.configuration.scalingFactor) * output.latents
        let expectedInput = try reference.tensor(named: "decoder_input")
        let expectedImages = try reference.tensor(named: "decoded")
        #expect(pipeline.transformer.precision == bfloat16Here && pipeline.vae.precision == bfloat16Here)
        #expect(decoderInput.maxAbsDifference(expectedInput) <= 0.01 * expectedInput.maxAbs)
        #expect(output.images.maxAbsDifference(expectedImages) <= 0.03)
    }

    @Test func diffusionPipelineRunsDiTFolderInBFloat16() throws {
        let pipeline = try DiffusionPipeline(folder: DiTPipelineTests.folder, precision: .bfloat16)
        let result = try pipeline.generate(GenerationRequest(steps: 2, seed: 1, classLabel: 207))

        #expect(result.images.count == 1 && result.parameters[0].classLabel == 207)
        #expect(result.parameters[0].precision == Precision.bfloat16.resolved().rawValue)
    }
}
