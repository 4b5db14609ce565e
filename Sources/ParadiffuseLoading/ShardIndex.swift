import Foundation

/// A `*.safetensors.index.json` file: `{"metadata": {...}, "weight_map": {tensor name: shard file name}}`.
struct ShardIndex {
    let weightMap: [String: String]

    init(url: URL) throws {
        let root = try JSONValue.read(url)
        guard case let .object(members) = root else {
            throw LoadingError.invalidShardIndex(url, reason: "expected a JSON object, found \(root.kindDescription)")
        }
        guard let weightMapValue = members["weight_map"] else {
            throw LoadingError.invalidShardIndex(url, reason: "missing weight_map")
        }
        guard case let .object(entries) = weightMapValue else {
            throw LoadingError.invalidShardIndex(url, reason: "weight_map is \(weightMapValue.kindDescription), not an object")
        }
        var weightMap: [String: String] = [:]
        for (tensor, shard) in entries {
            guard case let .string(fileName) = shard else {
                throw LoadingError.invalidShardIndex(url, reason:
                    "weight_map entry '\(tensor)' is \(shard.kindDescription), not a file name")
            }
            // Shards sit beside the index: a path would reach outside the model folder.
            guard !fileName.isEmpty, !fileName.contains("/"), fileName != ".", fileName != ".." else {
                throw LoadingError.invalidShardIndex(url, reason:
                    "weight_map entry '\(tensor)' names '\(fileName)'; shards are file names in the index's folder")
            }
            weightMap[tensor] = fileName
        }
        self.weightMap = weightMap
    }
}
