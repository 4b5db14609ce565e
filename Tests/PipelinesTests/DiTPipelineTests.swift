import Foundation
import ParadiffuseLoading
import ParadiffusePipelines
import ParadiffuseSchedulers
import ParadiffuseTensors
import Testing

struct DiTPipelineTests {
    static let folder = PipelineFixtures.root.appendingPathComponent("dit/pipeline")
    static func run(_ name: String) -> URL { PipelineFixtures.root.appendingPathComponent("dit/\(name).safetensors") }

    /// (fixture, scheduler swapped in as diffusers' `from_config` does, nil for the folder's DDIM).
    static let runs: [(String, SchedulerKind?)] = [("ddim10", nil), ("dpm-solver10", .dpmSolver), ("ddpm10", .ddpm)]

    @Test(arguments: runs)
    func guidedRunMatchesDiffusersDiTPipeline(fixture: String, scheduler: SchedulerKind?) throws {
        let pipeline = try DiTPipeline(folder: Self.folder)
        let reference = try SafetensorsFile(url: Self.run(fixture))
        let configuration = DiTPipeline.Configuration(
            classLabels: try reference.tensor(named: "class_labels").scalars.map { Int($0) }, guidanceScale: 4,
            steps: 10, scheduler: scheduler, seed: UInt64(try reference.tensor(named: "seed").scalars[0]))

        let output = try pipeline.generate(configuration)

        #expect(output.timesteps.map(Float.init) == (try reference.tensor(named: "timesteps").scalars))
        let decoderInput = (1 / pipeline.vae.configuration.scalingFactor) * output.latents
        let expectedInput = try reference.tensor(named: "decoder_input")
        #expect(decoderInput.maxAbsDifference(expectedInput) <= 1e-3 * max(1, expectedInput.maxAbs))
        let expectedImages = try reference.tensor(named: "decoded")
        #expect(output.images.maxAbsDifference(expectedImages) <= 1e-3 * max(1, expectedImages.maxAbs))
    }

    /// `--split cfg` evaluates guidance's halves on different ranks: each half on its own, then combined, must give
    /// the one-call prediction (guided noise channels only, DiT's learned σ dropped).
    @Test func guidanceHalvesEvaluatedApartCombineToTheOneCallPrediction() throws {
        let pipeline = try DiTPipeline(folder: Self.folder)
        let denoiser = GuidedDenoiser(network: try DiTNetwork(model: pipeline.transformer, classLabels: [207, 1]),
                                      guidance: ClassifierFreeGuidance(scale: 4, order: .conditionalFirst))
        let model = pipeline.transformer.configuration
        var generator = TorchGenerator(seed: 11)
        let latents = generator.randn([2, model.inChannels, model.sampleSize, model.sampleSize])
        let timesteps: [Float] = [801, 801]
        let halves = try (0..<2).map { half in
            try denoiser.networkOutputs(latents, timesteps: timesteps, items: 2 * half..<2 * half + 2)
        }
        let apart = try denoiser.combining(Tensor.concatenatingBatches(halves))
        let together = try denoiser.denoise(latents, timesteps: timesteps)
        #expect(together.shape == [2, model.inChannels, model.sampleSize, model.sampleSize])
        #expect(apart.maxAbsDifference(together) <= 1e-5 * max(1, together.maxAbs))
    }

    @Test func classNamesComeFromId2Label() throws {
        let labels = try DiTPipeline(folder: Self.folder).labels
        #expect(try labels.index(of: "golden retriever") == 207)
        #expect(try labels.index(of: "Carassius auratus") == 1)
        #expect(try labels.index(of: "toilet paper") == 999)
        #expect {
            _ = try labels.index(of: "zebra")
        } throws: { error in
            "\(error)".contains("'zebra' is not a class name") && "\(error)".contains("'golden retriever'")
        }
    }

    @Test func classOutsideTheModelsClassesIsRejected() throws {
        let pipeline = try DiTPipeline(folder: Self.folder)
        #expect {
            _ = try pipeline.generate(.init(classLabels: [1000], steps: 1, seed: 0))
        } throws: { error in
            "\(error)".contains("class 1000 is outside the model's classes 0..<1000")
        }
    }

    @Test func generateCommandRunsDiTFolderWithClassName() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dit-generate-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var request = GenerationRequest(steps: 2, seed: 1, count: 2)
        request.classLabelName = "golden retriever"

        try Generation.run(request, pipeline: DiffusionPipeline(folder: Self.folder),
                           outputs: GenerationOutputs(image: directory.appendingPathComponent("dog.png"),
                                                      latents: directory.appendingPathComponent("latents.safetensors")),
                           progress: ProgressReporter.standardError(quiet: true))

        let latents = try SafetensorsFile(url: directory.appendingPathComponent("latents.safetensors"))
        #expect(try latents.tensor(named: "latents").shape == [2, 4, 8, 8])
        for name in ["dog-0.png", "dog-1.png"] {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path))
        }
    }
}
