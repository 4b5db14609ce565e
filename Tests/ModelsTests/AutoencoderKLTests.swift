import Foundation
import ParadiffuseLoading
import ParadiffuseModels
import ParadiffuseTensors
import Testing

extension FixturePaths {
    static func vae(_ name: String) -> URL { root.appendingPathComponent("vae").appendingPathComponent(name) }
}

/// One VAE fixture: the model and diffusers' reference tensors.
private struct VAEFixture {
    let folder: URL
    let model: AutoencoderKL
    let reference: SafetensorsFile

    init(_ name: String) throws {
        folder = FixturePaths.vae(name)
        model = try AutoencoderKL(componentFolder: folder)
        reference = try SafetensorsFile(url: folder.appendingPathComponent("reference.safetensors"))
    }

    func tensor(_ name: String) throws -> Tensor { try reference.tensor(named: name) }

    /// The tile sizes diffusers' tiled runs used.
    func referenceTiling() throws -> AutoencoderKL.Tiling {
        try AutoencoderKL.Tiling(sampleTileSize: Int(tensor("tile_sample_min_size").scalars[0]),
                                 latentTileSize: Int(tensor("tile_latent_min_size").scalars[0]))
    }
}

/// Within the single-forward-pass contract: 1e-4 of the output's scale.
private func matches(_ actual: Tensor, _ expected: Tensor, tolerance: Float = 1e-4) -> Bool {
    actual.shape == expected.shape && actual.maxAbsDifference(expected) <= tolerance * max(1, expected.maxAbs)
}

struct AutoencoderKLTests {
    static let fixtures = ["two-level", "three-level"]

    @Test(arguments: fixtures)
    func encodingMatchesDiffusers(fixture name: String) throws {
        let fixture = try VAEFixture(name)
        let distribution = try fixture.model.encode(fixture.tensor("images"))
        #expect(matches(distribution.mean, try fixture.tensor("mean")))
        #expect(matches(distribution.logVariance, try fixture.tensor("logvar")))
        #expect(distribution.mode().shape == distribution.mean.shape)
    }

    @Test(arguments: fixtures)
    func seededPosteriorSampleMatchesDiffusers(fixture name: String) throws {
        let fixture = try VAEFixture(name)
        let distribution = try fixture.model.encode(fixture.tensor("images"))
        var generator = TorchGenerator(seed: UInt64(try fixture.tensor("sample_seed").scalars[0]))
        #expect(matches(distribution.sample(using: &generator), try fixture.tensor("sample")))
    }

    @Test(arguments: fixtures)
    func decodingMatchesDiffusers(fixture name: String) throws {
        let fixture = try VAEFixture(name)
        #expect(matches(try fixture.model.decode(fixture.tensor("latents")), try fixture.tensor("decoded")))
    }

    @Test(arguments: fixtures)
    func tiledEncodingMatchesDiffusersTiledEncoding(fixture name: String) throws {
        let fixture = try VAEFixture(name)
        fixture.model.tiling = try fixture.referenceTiling()
        let distribution = try fixture.model.encode(fixture.tensor("images"))
        #expect(matches(distribution.mean, try fixture.tensor("tiled_mean")))
        #expect(matches(distribution.logVariance, try fixture.tensor("tiled_logvar")))
    }

    @Test(arguments: fixtures)
    func tiledDecodingMatchesDiffusersTiledDecoding(fixture name: String) throws {
        let fixture = try VAEFixture(name)
        fixture.model.tiling = try fixture.referenceTiling()
        #expect(matches(try fixture.model.decode(fixture.tensor("latents")), try fixture.tensor("tiled_decoded")))
    }

    @Test func inputsWithinOneTileAreNotTiled() throws {
        let fixture = try VAEFixture("two-level")
        fixture.model.tiling = AutoencoderKL.Tiling(sampleTileSize: 32, latentTileSize: 16)
        #expect(matches(try fixture.model.encode(fixture.tensor("images")).mean, try fixture.tensor("mean")))
        #expect(matches(try fixture.model.decode(fixture.tensor("latents")), try fixture.tensor("decoded")))
    }

    @Test func defaultTilingIsDerivedFromSampleSizeAsInDiffusers() throws {
        let fixture = try VAEFixture("three-level")
        #expect(AutoencoderKL.Tiling(configuration: fixture.model.configuration) == (try fixture.referenceTiling()))
        let twoLevel = try VAEFixture("two-level").model.configuration
        #expect(AutoencoderKL.Tiling(configuration: twoLevel)
            == AutoencoderKL.Tiling(sampleTileSize: 32, latentTileSize: 16, overlapFactor: 0.25))
    }

    @Test(arguments: fixtures)
    func slicedDecodingMatchesDiffusersAndTheWholeBatch(fixture name: String) throws {
        let fixture = try VAEFixture(name)
        let latents = try fixture.tensor("latents")
        let whole = try fixture.model.decode(latents)
        fixture.model.slicing = true
        let sliced = try fixture.model.decode(latents)
        #expect(matches(sliced, try fixture.tensor("sliced_decoded")))
        #expect(matches(sliced, whole, tolerance: 1e-6))
    }

    @Test func slicedEncodingEqualsTheWholeBatch() throws {
        let fixture = try VAEFixture("two-level")
        let images = try fixture.tensor("images")
        let whole = try fixture.model.encode(images)
        fixture.model.slicing = true
        let sliced = try fixture.model.encode(images)
        #expect(matches(sliced.parameters, whole.parameters, tolerance: 1e-6))
    }

    @Test func slicingAndTilingTogetherGiveTheTiledResult() throws {
        let fixture = try VAEFixture("two-level")
        fixture.model.tiling = try fixture.referenceTiling()
        fixture.model.slicing = true
        #expect(matches(try fixture.model.decode(fixture.tensor("latents")), try fixture.tensor("tiled_decoded")))
        #expect(matches(try fixture.model.encode(fixture.tensor("images")).mean, try fixture.tensor("tiled_mean")))
    }

    @Test func scalingAndShiftFactorsAreReadFromTheConfiguration() throws {
        let plain = try VAEFixture("two-level").model.configuration
        #expect(plain.scalingFactor == 0.18215 && plain.shiftFactor == nil)
        #expect(plain.useQuantConv && plain.usePostQuantConv && plain.midBlockAddsAttention)
        let shifted = try VAEFixture("three-level").model.configuration
        #expect(shifted.scalingFactor == 0.3611 && shifted.shiftFactor == 0.1159)
        #expect(!shifted.useQuantConv && !shifted.usePostQuantConv && !shifted.midBlockAddsAttention)
        #expect(shifted.downsamplingFactor == 4)
    }

    @Test func logVarianceIsClampedAsDiffusersDoes() throws {
        let parameters = Tensor(shape: [1, 2, 1, 2], scalars: [0.5, -1, 50, -40])
        let distribution = try DiagonalGaussianDistribution(parameters: parameters)
        #expect(distribution.mean.scalars == [0.5, -1])
        #expect(distribution.logVariance.scalars == [20, -30])
        #expect(distribution.standardDeviation.scalars == [expf(10), expf(-15)])
    }

    @Test func imagesWithTheWrongChannelCountAreRejected() throws {
        let model = try VAEFixture("two-level").model
        #expect {
            _ = try model.encode(Tensor(zeros: [1, 4, 16, 16]))
        } throws: { error in
            "\(error)" == "images: shape [1, 4, 16, 16] is not [N, 3, H, W]"
        }
        #expect {
            _ = try model.decode(Tensor(zeros: [1, 3, 8, 8]))
        } throws: { error in
            "\(error)" == "latents: shape [1, 3, 8, 8] is not [N, 4, H, W]"
        }
    }

    @Test func imageSizeNotDivisibleByTheDownsamplingFactorIsRejected() throws {
        let model = try VAEFixture("three-level").model
        #expect {
            _ = try model.encode(Tensor(zeros: [1, 3, 16, 18]))
        } throws: { error in
            "\(error)" == "images: height and width 16x18 must be multiples of 4, the VAE's downsampling factor"
        }
    }

    @Test func edgeTileTooSmallForTheEncoderIsRejected() throws {
        let model = try VAEFixture("three-level").model
        // Tiles of 20 start every 15 pixels, so a 32-pixel-wide image ends in a 2-pixel-wide tile, which two
        // downsamplings cannot encode (diffusers fails inside PyTorch's convolution there).
        model.tiling = AutoencoderKL.Tiling(sampleTileSize: 20, latentTileSize: 5)
        #expect {
            _ = try model.encode(Tensor(zeros: [1, 3, 12, 32]))
        } throws: { error in
            "\(error)".hasPrefix("tiling: an image of 12x32 in tiles of 20 leaves an edge tile side of 2,")
        }
    }

    @Test func overlapLeavingNoStrideIsRejected() throws {
        let model = try VAEFixture("two-level").model
        model.tiling = AutoencoderKL.Tiling(sampleTileSize: 16, latentTileSize: 8, overlapFactor: 1)
        #expect(throws: ModelError.self) { _ = try model.decode(Tensor(zeros: [1, 4, 16, 16])) }
    }

    @Test func missingWeightIsNamedInTheError() throws {
        let folder = FixturePaths.vae("two-level")
        let configuration = try AutoencoderKLConfiguration.read(from: folder.appendingPathComponent("config.json"))
        let store = try WeightStore(componentFolder: folder)
        let missing = "decoder.up_blocks.1.resnets.1.conv2.bias"
        let weights = ModelWeights(source: store.url.path) { name in
            name == missing ? nil : try store.tensor(named: name)
        }
        #expect {
            _ = try AutoencoderKL(configuration: configuration, weights: weights)
        } throws: { error in
            "\(error)" == "weight '\(missing)' is missing from \(store.url.path)"
        }
    }

    @Test func weightOfWrongShapeIsNamedInTheError() throws {
        let folder = FixturePaths.vae("two-level")
        var configuration = try AutoencoderKLConfiguration.read(from: folder.appendingPathComponent("config.json"))
        configuration.latentChannels = 8
        #expect {
            _ = try AutoencoderKL(configuration: configuration, weights: ModelWeights(WeightStore(componentFolder: folder)))
        } throws: { error in
            "\(error)".contains("encoder.conv_out.weight") && "\(error)".contains("[16, 16, 3, 3]")
        }
    }

    @Test func unsupportedBlockTypeIsRejectedNamingFileAndKey() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vae-config-\(UUID()).json")
        try #"{"down_block_types": ["AttnDownEncoderBlock2D"], "up_block_types": ["UpDecoderBlock2D"], "block_out_channels": [32]}"#
            .write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect {
            _ = try AutoencoderKLConfiguration.read(from: file)
        } throws: { error in
            "\(error)".contains("down_block_types") && "\(error)".contains("AttnDownEncoderBlock2D")
                && "\(error)".contains(file.path)
        }
    }

    @Test func sampleSizeGivenAsHeightAndWidthIsRead() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vae-config-\(UUID()).json")
        try #"{"sample_size": [64, 48], "block_out_channels": [32, 64], "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D"], "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D"]}"#
            .write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let configuration = try AutoencoderKLConfiguration.read(from: file)
        #expect(configuration.sampleSize == 64)
        #expect(AutoencoderKL.Tiling(configuration: configuration).latentTileSize == 32)
    }
}
