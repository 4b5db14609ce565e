import Foundation
import ParadiffuseModels
import ParadiffusePipelines
import Testing

/// `PipelineBenchmark` and `paradiffuse bench` on the tiny Stable Diffusion folder (text encoder width 24, UNet
/// 4 → 4 channels, VAE with 4 latent channels and a downsampling factor of 2, UNet `sample_size` 16).
@Suite struct PipelineBenchmarkTests {
    let folder = StableDiffusionFixtures.pipeline

    @Test func timesEveryComponentWithOutputsOfTheRequestedSize() throws {
        let result = try PipelineBenchmark(modelFolder: folder, components: PipelineBenchmark.Component.allCases,
                                           width: 32, height: 48, iterations: 2).run()
        #expect(result.components.map(\.component) == [.textEncoder, .unet, .vaeDecode, .vaeEncode])
        for timing in result.components {
            #expect(timing.milliseconds.count == 2)
            #expect(timing.milliseconds.allSatisfy { $0 > 0 }, "\(timing.component): \(timing.milliseconds)")
            #expect(timing.peakResidentBytes > 0)
        }
        #expect(result[.textEncoder]?.outputShape == [1, 77, 24])
        #expect(result[.unet]?.outputShape == [2, 4, 24, 16])
        #expect(result[.vaeDecode]?.outputShape == [1, 3, 48, 32])
        #expect(result[.vaeEncode]?.outputShape == [1, 4, 24, 16])
    }

    @Test func defaultsToTextToImageComponentsAtTheModelsSize() throws {
        let benchmark = try PipelineBenchmark(modelFolder: folder, iterations: 1)
        #expect(benchmark.components == [.textEncoder, .unet, .vaeDecode])
        #expect((benchmark.width, benchmark.height, benchmark.unetBatch) == (32, 32, 2))
    }

    @Test func jsonHasAMedianPerComponentAndTheSettings() throws {
        let result = try PipelineBenchmark(modelFolder: folder, components: [.unet, .vaeDecode], width: 16, height: 16,
                                           unetBatch: 3, iterations: 1, precision: .bfloat16).run()
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(result)) as? [String: Any])
        #expect(json["unet_forward_ms"] as? Double == result[.unet]?.medianMilliseconds)
        #expect(json["vae_decode_ms"] as? Double == result[.vaeDecode]?.medianMilliseconds)
        #expect(json["text_encoder_ms"] == nil && json["vae_encode_ms"] == nil)
        #expect(json["width"] as? Int == 16 && json["height"] as? Int == 16 && json["batch"] as? Int == 3)
        #expect(json["precision"] as? String == "bf16")
        #expect(json["unet_forward_output_shape"] as? [Int] == [3, 4, 8, 8])
        #expect(json["peak_rss_bytes"] as? Int == result.peakResidentBytes)
    }

    @Test func sideNotAMultipleOfTheVAEFactorIsRejectedNamingIt() {
        #expect(throws: ModelError.invalidInput(parameter: "width", reason:
            "is 33; it must be a positive multiple of 2, the VAE's downsampling factor")) {
            try PipelineBenchmark(modelFolder: folder, width: 33)
        }
        #expect(throws: ModelError.self) { try PipelineBenchmark(modelFolder: folder, height: 0) }
    }

    @Test func unetFolderIsNotAPipelineToBenchmark() throws {
        #expect(try !PipelineBenchmark.handles(PipelineFixtures.pipelineUNet))
        #expect(try PipelineBenchmark.handles(folder))
    }

    @Test func benchCommandRejectsAWidthNotDivisibleBy8NamingTheOption() throws {
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("paradiffuse")
        try #require(FileManager.default.isExecutableFile(atPath: binary.path),
                     "\(binary.path) is missing: build the paradiffuse product before the tests")
        let process = Process()
        process.executableURL = binary
        process.arguments = ["bench", "--model", folder.path, "--width", "100", "--iterations", "1"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        #expect(message.contains("--width must be a multiple of 8 in 8...16384, got 100"), "\(message)")
    }
}
