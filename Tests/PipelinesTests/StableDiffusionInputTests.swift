import Foundation
import ParadiffuseLoading
import ParadiffusePipelines
import ParadiffuseSchedulers
import ParadiffuseTensors
import Testing

/// The errors and warnings a caller of the Stable Diffusion pipeline sees for bad or unusual inputs.
struct StableDiffusionInputTests {
    private func pipeline() throws -> StableDiffusionPipeline {
        try StableDiffusionPipeline(folder: StableDiffusionFixtures.pipeline)
    }

    private func quickConfiguration() -> StableDiffusionPipeline.Configuration {
        var configuration = StableDiffusionFixtures.configuration()
        // One step from pure noise, which `trailing` spacing starts at the last training timestep.
        configuration.steps = 1
        configuration.schedulerSettings = SchedulerSettings(timestepSpacing: "trailing")
        return configuration
    }

    @Test func widthNotAMultipleOf8IsRejected() throws {
        var configuration = quickConfiguration()
        configuration.width = 36
        #expect {
            _ = try pipeline().textToImage(configuration)
        } throws: { error in "\(error)".hasPrefix("width: is 36") && "\(error)".contains("multiple of 8") }
    }

    @Test func heightNotAMultipleOf8IsRejected() throws {
        var configuration = quickConfiguration()
        configuration.height = 20
        #expect {
            _ = try pipeline().textToImage(configuration)
        } throws: { error in "\(error)".hasPrefix("height: is 20") && "\(error)".contains("multiple of 8") }
    }

    @Test func defaultSizeIsTheUNetSampleSizeTimesTheVAEFactor() throws {
        var configuration = quickConfiguration()
        configuration.width = nil
        configuration.height = nil
        configuration.imagesPerPrompt = 1
        let output = try pipeline().textToImage(configuration)
        #expect(output.images.shape == [2, 3, 32, 32])
        #expect(output.latents.shape == [2, 4, 16, 16])
    }

    @Test func overLongPromptIsCutWithDiffusersWarning() throws {
        var configuration = quickConfiguration()
        configuration.prompts = [Array(repeating: "cat", count: 80).joined(separator: " ") + " dog fish", "a short prompt"]
        let output = try pipeline().textToImage(configuration)
        #expect(output.truncationWarnings == [
            "The following part of your input was truncated because CLIP can only handle sequences up to 77 tokens: "
                + "cat cat cat cat cat dog fish",
        ])
    }

    @Test func negativePromptCountMustMatchPrompts() throws {
        var configuration = quickConfiguration()
        configuration.prompts = ["one", "two", "three"]
        configuration.negativePrompts = ["a", "b"]
        #expect {
            _ = try pipeline().textToImage(configuration)
        } throws: { error in "\(error)".hasPrefix("negativePrompts: 2 negative prompts for 3 prompts") }
    }

    @Test func strengthOutsideZeroToOneIsRejected() throws {
        let image = try RGBImage.readPNG(url: StableDiffusionFixtures.initImage)
        #expect {
            _ = try pipeline().imageToImage(StableDiffusionFixtures.configuration(width: nil, height: nil),
                                            images: [image], strength: 1.5)
        } throws: { error in "\(error)".hasPrefix("strength: is 1.5") }
    }

    @Test func strengthLeavingNoStepIsRejected() throws {
        let image = try RGBImage.readPNG(url: StableDiffusionFixtures.initImage)
        #expect {
            _ = try pipeline().imageToImage(StableDiffusionFixtures.configuration(width: nil, height: nil),
                                            images: [image], strength: 0.05)
        } throws: { error in "\(error)".hasPrefix("strength: 0.05 of 10 steps leaves no step to run") }
    }

    @Test func inputImageNarrowerThanTheVAEFactorIsRejected() throws {
        let image = RGBImage(width: 1, height: 32, channels: 3)
        #expect {
            _ = try pipeline().imageToImage(StableDiffusionFixtures.configuration(width: nil, height: nil),
                                            images: [image])
        } throws: { error in "\(error)".hasPrefix("images: the width 1 rounded down to a multiple of 2") }
    }

    @Test func missingComponentFolderIsNamed() throws {
        let folder = try folderLinking(["tokenizer", "text_encoder", "unet", "scheduler"])
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect {
            _ = try StableDiffusionPipeline(folder: folder)
        } throws: { error in "\(error)".contains("component 'vae'") && "\(error)".contains("does not exist") }
    }

    @Test func componentMissingFromModelIndexIsNamed() throws {
        let folder = try folderLinking(["tokenizer", "unet", "vae", "scheduler"], removingFromIndex: "text_encoder")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect {
            _ = try StableDiffusionPipeline(folder: folder)
        } throws: { error in "\(error)".contains("has no component 'text_encoder' in model_index.json") }
    }

    @Test func variantWithoutItsWeightFilesIsRejected() throws {
        #expect {
            _ = try StableDiffusionPipeline(folder: StableDiffusionFixtures.pipeline, variant: "fp16")
        } throws: { error in "\(error)".contains("model.fp16.safetensors") }
    }

    /// A pipeline folder in a temporary directory whose components link to the fixture's.
    private func folderLinking(_ components: [String], removingFromIndex removed: String? = nil) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tiny-sd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let source = StableDiffusionFixtures.pipeline
        for component in components {
            try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent(component),
                                                       withDestinationURL: source.appendingPathComponent(component))
        }
        var index = try JSONSerialization.jsonObject(with: Data(contentsOf: source.appendingPathComponent("model_index.json")))
            as! [String: Any]
        if let removed { index.removeValue(forKey: removed) }
        try JSONSerialization.data(withJSONObject: index).write(to: folder.appendingPathComponent("model_index.json"))
        return folder
    }
}
