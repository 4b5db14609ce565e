import Foundation
import ParadiffuseTensors

/// Named weights from one safetensors file or from a sharded set described by a `*.safetensors.index.json`.
public final class WeightStore: Sendable {
    /// The safetensors file, or the index of a sharded set.
    public let url: URL
    /// Tensor names across all shards, sorted.
    public let tensorNames: [String]
    private let shards: [SafetensorsFile]
    private let shardOfTensor: [String: Int]

    /// Opens `url`: a `.safetensors` file, or a `.json` index whose `weight_map` names the shard of every tensor
    /// (shard file names are relative to the index's folder).
    public init(url: URL) throws {
        self.url = url
        if url.pathExtension == "json" {
            shards = try Self.openShards(listedIn: url)
        } else {
            shards = [try SafetensorsFile(url: url)]
        }
        var shardOfTensor: [String: Int] = [:]
        for (shardIndex, shard) in shards.enumerated() {
            for name in shard.tensorNames {
                if let earlier = shardOfTensor.updateValue(shardIndex, forKey: name) {
                    throw LoadingError.invalidShardIndex(url, reason: "tensor '\(name)' is in both "
                        + "\(shards[earlier].url.lastPathComponent) and \(shard.url.lastPathComponent)")
                }
            }
        }
        self.shardOfTensor = shardOfTensor
        tensorNames = shardOfTensor.keys.sorted()
    }

    /// Opens the weights of a diffusers or transformers component folder (e.g. `unet/`, `text_encoder/`).
    /// See `WeightStore.weightsURL(inComponentFolder:variant:)` for the file names it looks for.
    public convenience init(componentFolder: URL, variant: String? = nil) throws {
        try self.init(url: Self.weightsURL(inComponentFolder: componentFolder, variant: variant))
    }

    /// The weights file of a component folder, looked for in diffusers' order of preference:
    /// `diffusion_pytorch_model.safetensors.index[.variant].json`, the legacy
    /// `diffusion_pytorch_model.safetensors.variant.index.json`, `diffusion_pytorch_model[.variant].safetensors`,
    /// then transformers' `model[.variant].safetensors` and `model.safetensors.index[.variant].json`.
    public static func weightsURL(inComponentFolder folder: URL, variant: String? = nil) throws -> URL {
        let candidates = candidateFileNames(variant: variant)
        for name in candidates {
            let candidate = folder.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        throw LoadingError.missingWeights(folder: folder, lookedFor: candidates)
    }

    public func contains(_ name: String) -> Bool { shardOfTensor[name] != nil }

    public func info(named name: String) throws -> TensorInfo {
        try shard(holding: name).info(named: name)
    }

    /// The tensor as row-major float32; see `SafetensorsFile.tensor(named:)`.
    public func tensor(named name: String) throws -> Tensor {
        try shard(holding: name).tensor(named: name)
    }

    /// The tensor as a row-major tensor of `dtype`; see `SafetensorsFile.tensor(named:as:)`.
    public func tensor(named name: String, as dtype: DType) throws -> Tensor {
        try shard(holding: name).tensor(named: name, as: dtype)
    }

    private func shard(holding name: String) throws -> SafetensorsFile {
        guard let index = shardOfTensor[name] else { throw LoadingError.tensorNotFound(url, tensor: name) }
        return shards[index]
    }

    private static func candidateFileNames(variant: String?) -> [String] {
        let infix = variant.map { ".\($0)" } ?? ""
        var names = ["diffusion_pytorch_model.safetensors.index\(infix).json"]
        if let variant { names.append("diffusion_pytorch_model.safetensors.\(variant).index.json") }
        names += [
            "diffusion_pytorch_model\(infix).safetensors",
            "model\(infix).safetensors",
            "model.safetensors.index\(infix).json",
        ]
        return names
    }

    /// Opens every shard the index names and checks that each holds the tensors the index places in it.
    private static func openShards(listedIn indexURL: URL) throws -> [SafetensorsFile] {
        let weightMap = try ShardIndex(url: indexURL).weightMap
        let folder = indexURL.deletingLastPathComponent()
        var shards: [SafetensorsFile] = []
        for shardName in Set(weightMap.values).sorted() {
            let shard: SafetensorsFile
            do {
                shard = try SafetensorsFile(url: folder.appendingPathComponent(shardName))
            } catch {
                throw LoadingError.invalidShardIndex(indexURL, reason: "shard '\(shardName)': \(error)")
            }
            for (tensor, listedShard) in weightMap where listedShard == shardName && !shard.contains(tensor) {
                throw LoadingError.invalidShardIndex(indexURL, reason:
                    "weight_map places tensor '\(tensor)' in \(shardName), which has no such tensor")
            }
            shards.append(shard)
        }
        return shards
    }
}
