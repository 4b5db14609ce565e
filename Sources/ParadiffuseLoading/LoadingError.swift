import Foundation
import ParadiffuseTensors

/// A problem with a model file or folder on disk. Every message names the file, and the tensor or key, at fault.
public enum LoadingError: Error, Equatable, DescribedError {
    case unreadableFile(URL, reason: String)
    case truncatedSafetensors(URL, byteCount: Int)
    case headerLengthBeyondFile(URL, headerLength: UInt64, fileSize: Int)
    case invalidHeader(URL, reason: String)
    case invalidTensorEntry(URL, tensor: String, reason: String)
    case unknownDType(URL, tensor: String, dtype: String)
    case overlappingTensors(URL, first: String, second: String)
    case tensorNotFound(URL, tensor: String)
    case notConvertibleToFloat32(URL, tensor: String, dtype: String)
    case invalidTensorName(URL, tensor: String, reason: String)
    case invalidShardIndex(URL, reason: String)
    case missingWeights(folder: URL, lookedFor: [String])
    case invalidJSON(URL, reason: String)
    case missingConfigKey(URL, key: String)
    case invalidConfigValue(URL, key: String, reason: String)
    case notAModelFolder(URL)
    case noSuchModelFolder(URL)
    case modelIsAFile(URL)
    case missingComponent(URL, component: String, available: [String])
    case missingComponentFolder(URL, component: String)
    case notAPipelineFolder(URL, component: String)
    case missingConfig(folder: URL, lookedFor: [String])

    public var description: String {
        switch self {
        case let .unreadableFile(url, reason):
            "cannot read \(url.path): \(reason)"
        case let .truncatedSafetensors(url, byteCount):
            "\(url.path) is not a safetensors file: \(byteCount) bytes is shorter than the 8-byte header length"
        case let .headerLengthBeyondFile(url, headerLength, fileSize):
            "\(url.path): safetensors header length \(headerLength) reaches beyond the end of the \(fileSize)-byte file"
        case let .invalidHeader(url, reason):
            "\(url.path): invalid safetensors header: \(reason)"
        case let .invalidTensorEntry(url, tensor, reason):
            "\(url.path): tensor '\(tensor)': \(reason)"
        case let .unknownDType(url, tensor, dtype):
            "\(url.path): tensor '\(tensor)' has unknown dtype '\(dtype)'"
        case let .overlappingTensors(url, first, second):
            "\(url.path): the data of tensors '\(first)' and '\(second)' overlap"
        case let .tensorNotFound(url, tensor):
            "\(url.path) has no tensor '\(tensor)'"
        case let .notConvertibleToFloat32(url, tensor, dtype):
            "\(url.path): tensor '\(tensor)' has dtype \(dtype), which is not a floating-point type "
                + "convertible to float32 (F32, F16, BF16, F64)"
        case let .invalidTensorName(url, tensor, reason):
            "cannot write \(url.path): tensor name '\(tensor)' \(reason)"
        case let .invalidShardIndex(url, reason):
            "\(url.path): invalid shard index: \(reason)"
        case let .missingWeights(folder, lookedFor):
            "no weights in \(folder.path): looked for \(lookedFor.joined(separator: ", "))"
        case let .invalidJSON(url, reason):
            "\(url.path): \(reason)"
        case let .missingConfigKey(url, key):
            "\(url.path) has no key '\(key)'"
        case let .invalidConfigValue(url, key, reason):
            "\(url.path): key '\(key)': \(reason)"
        case let .noSuchModelFolder(url):
            "there is no model folder \(url.path)"
        case let .modelIsAFile(url):
            "\(url.path) is a file; a diffusers model is a folder with model_index.json or config.json"
        case let .notAModelFolder(url):
            "\(url.path) is not a diffusers model folder: it has neither model_index.json nor config.json"
        case let .missingComponent(url, component, available):
            "\(url.path) has no component '\(component)'"
                + " in model_index.json (components: \(available.joined(separator: ", ")))"
        case let .missingComponentFolder(url, component):
            "model_index.json lists component '\(component)', but its folder \(url.path) does not exist"
        case let .notAPipelineFolder(url, component):
            "\(url.path) is a single component folder (config.json, no model_index.json), "
                + "so it has no component '\(component)'"
        case let .missingConfig(folder, lookedFor):
            "no config in \(folder.path): looked for \(lookedFor.joined(separator: ", "))"
        }
    }
}
