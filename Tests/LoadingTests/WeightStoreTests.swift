import Foundation
import Testing
import ParadiffuseTensors
@testable import ParadiffuseLoading

@Test func shardedFloat16VariantSavedByDiffusersLoadsAsTorchConvertsIt() throws {
    let unetFolder = loadingFixture("ddpm_fp16_sharded/unet")
    let weights = try WeightStore(componentFolder: unetFolder, variant: "fp16")
    #expect(weights.url.lastPathComponent == "diffusion_pytorch_model.safetensors.index.fp16.json")
    let expected = try SafetensorsFile(url: loadingFixture("ddpm_unet_as_f32.safetensors"))
    #expect(weights.tensorNames == expected.tensorNames)
    for name in expected.tensorNames {
        #expect(try weights.info(named: name).dtype == "F16")
        let loaded = try weights.tensor(named: name)
        let reference = try expected.tensor(named: name)
        #expect(loaded.shape == reference.shape, "\(name)")
        #expect(loaded.scalars == reference.scalars, "\(name)")
    }
    #expect(weights.contains("conv_in.weight"))
    #expect(!weights.contains("conv_in.missing"))
}

@Test func shardedStoreReportsAMissingTensorWithTheIndexFile() throws {
    let weights = try WeightStore(componentFolder: loadingFixture("ddpm_fp16_sharded/unet"), variant: "fp16")
    #expect(throws: LoadingError.tensorNotFound(weights.url, tensor: "conv_in.missing")) {
        try weights.tensor(named: "conv_in.missing")
    }
}

@Test func componentFolderWithoutRequestedVariantListsWhatWasLookedFor() throws {
    let unetFolder = loadingFixture("ddpm_fp16_sharded/unet")
    #expect {
        try WeightStore(componentFolder: unetFolder)
    } throws: { error in
        let message = "\(error)"
        return message.contains(unetFolder.path)
            && message.contains("diffusion_pytorch_model.safetensors.index.json")
            && message.contains("diffusion_pytorch_model.safetensors, ")
            && message.contains("model.safetensors")
    }
}

@Test func componentFolderFindsEachWeightsFileName() throws {
    let tensor = ["w": Tensor(shape: [1], scalars: [1])]
    let cases: [(fileName: String, variant: String?)] = [
        ("diffusion_pytorch_model.safetensors", nil),
        ("diffusion_pytorch_model.fp16.safetensors", "fp16"),
        ("model.safetensors", nil),
        ("model.bf16.safetensors", "bf16"),
    ]
    for (fileName, variant) in cases {
        let folder = try TemporaryFolder()
        try SafetensorsWriter.write(tensor, to: folder.file(fileName), overwrite: false)
        let weights = try WeightStore(componentFolder: folder.url, variant: variant)
        #expect(weights.url.lastPathComponent == fileName)
        #expect(weights.tensorNames == ["w"])
    }
}

/// Two shards and an index, as a sharded checkpoint in `folder`.
private func writeShards(in folder: TemporaryFolder, indexName: String, weightMap: String) throws -> URL {
    try SafetensorsWriter.write(["a.weight": Tensor(shape: [2], scalars: [1, 2])], to: folder.file("model-00001-of-00002.safetensors"), overwrite: false)
    try SafetensorsWriter.write(["b.weight": Tensor(shape: [1, 1], scalars: [3]), "b.bias": Tensor(shape: [1], scalars: [4])],
                                to: folder.file("model-00002-of-00002.safetensors"), overwrite: false)
    return try folder.write(#"{"metadata": {"total_size": 16}, "weight_map": \#(weightMap)}"#, to: indexName)
}

@Test func legacyVariantIndexAndTransformersIndexAreFound() throws {
    let weightMap = #"{"a.weight": "model-00001-of-00002.safetensors", "b.weight": "model-00002-of-00002.safetensors", "b.bias": "model-00002-of-00002.safetensors"}"#
    for (indexName, variant) in [("diffusion_pytorch_model.safetensors.fp16.index.json", "fp16"),
                                 ("model.safetensors.index.json", nil),
                                 ("model.safetensors.index.fp16.json", "fp16")] {
        let folder = try TemporaryFolder()
        _ = try writeShards(in: folder, indexName: indexName, weightMap: weightMap)
        let weights = try WeightStore(componentFolder: folder.url, variant: variant)
        #expect(weights.url.lastPathComponent == indexName)
        #expect(weights.tensorNames == ["a.weight", "b.bias", "b.weight"])
        #expect(try weights.tensor(named: "b.weight").scalars == [3])
        #expect(try weights.tensor(named: "a.weight").scalars == [1, 2])
    }
}

@Test func indexNamingAMissingShardIsRejected() throws {
    let folder = try TemporaryFolder()
    let index = try writeShards(in: folder, indexName: "model.safetensors.index.json",
                                weightMap: #"{"a.weight": "model-00001-of-00002.safetensors", "c.weight": "model-00003-of-00003.safetensors"}"#)
    #expect {
        try WeightStore(url: index)
    } throws: { error in
        let message = "\(error)"
        return message.contains(index.path) && message.contains("model-00003-of-00003.safetensors")
            && message.contains("No such file")
    }
}

@Test func indexPlacingATensorInTheWrongShardIsRejected() throws {
    let folder = try TemporaryFolder()
    let index = try writeShards(in: folder, indexName: "model.safetensors.index.json",
                                weightMap: #"{"a.weight": "model-00002-of-00002.safetensors"}"#)
    #expect {
        try WeightStore(url: index)
    } throws: { error in
        "\(error)".contains(index.path)
            && "\(error)".contains("places tensor 'a.weight' in model-00002-of-00002.safetensors, which has no such tensor")
    }
}

@Test func indexWithoutWeightMapIsRejected() throws {
    let folder = try TemporaryFolder()
    let index = try folder.write(#"{"metadata": {}}"#, to: "model.safetensors.index.json")
    #expect(throws: LoadingError.invalidShardIndex(index, reason: "missing weight_map")) { try WeightStore(url: index) }
    #expect("\(LoadingError.invalidShardIndex(index, reason: "missing weight_map"))".contains(index.path))
}

@Test func tensorInTwoShardsIsRejected() throws {
    let folder = try TemporaryFolder()
    try SafetensorsWriter.write(["a": Tensor(shape: [1], scalars: [1])], to: folder.file("one.safetensors"), overwrite: false)
    try SafetensorsWriter.write(["a": Tensor(shape: [1], scalars: [2]), "b": Tensor(shape: [1], scalars: [3])],
                                to: folder.file("two.safetensors"), overwrite: false)
    let index = try folder.write(#"{"weight_map": {"a": "one.safetensors", "b": "two.safetensors"}}"#, to: "index.json")
    #expect {
        try WeightStore(url: index)
    } throws: { error in
        "\(error)".contains(index.path) && "\(error)".contains("'a' is in both one.safetensors and two.safetensors")
    }
}

@Test func shardNamesReachingOutsideTheIndexFolderAreRejected() throws {
    for name in ["../model-00001-of-00002.safetensors", "sub/model.safetensors", "..", ""] {
        let folder = try TemporaryFolder()
        let index = try writeShards(in: folder, indexName: "model.safetensors.index.json",
                                    weightMap: #"{"a.weight": "\#(name)"}"#)
        #expect(throws: LoadingError.invalidShardIndex(index, reason:
            "weight_map entry 'a.weight' names '\(name)'; shards are file names in the index's folder")) {
            try WeightStore(url: index)
        }
    }
}

@Test func weightsFileThatIsAFIFOIsRefusedWithoutWaiting() throws {
    let folder = try TemporaryFolder()
    let fifo = folder.file("model.safetensors")
    #expect(mkfifo(fifo.path, 0o600) == 0)
    #expect(throws: LoadingError.unreadableFile(fifo, reason: "it is not a regular file")) { try WeightStore(url: fifo) }
    let index = try writeShards(in: folder, indexName: "model.safetensors.index.json",
                                weightMap: #"{"a.weight": "model.safetensors"}"#)
    #expect {
        try WeightStore(url: index)
    } throws: { error in
        "\(error)".hasSuffix("shard 'model.safetensors': cannot read \(fifo.path): it is not a regular file")
    }
    let config = folder.file("config.json")
    #expect(mkfifo(config.path, 0o600) == 0)
    #expect(throws: LoadingError.unreadableFile(config, reason: "it is not a regular file")) { try JSONValue.read(config) }
}

@Test func folderGivenAsAFileIsNamedAsOne() throws {
    let folder = try TemporaryFolder()
    #expect(throws: LoadingError.unreadableFile(folder.url, reason: "it is a folder")) { try JSONValue.read(folder.url) }
    let missing = folder.file("absent.json")
    #expect(throws: LoadingError.unreadableFile(missing, reason: "No such file or directory")) {
        try JSONValue.read(missing)
    }
}

@Test func fileLargerThanItsLimitIsRefusedBeforeReading() throws {
    let folder = try TemporaryFolder()
    let file = try folder.write("[1, 2, 3]", to: "config.json")
    #expect(throws: LoadingError.unreadableFile(file, reason: "it is 9 bytes, more than the 4 bytes such a file may have")) {
        try RegularFile.contents(of: file, byteLimit: 4)
    }
    #expect(try RegularFile.contents(of: file, byteLimit: 9) == Data("[1, 2, 3]".utf8))
}
