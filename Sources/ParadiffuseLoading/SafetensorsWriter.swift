import Foundation
import ParadiffuseTensors

/// Writes tensors as a float32, row-major safetensors file.
public enum SafetensorsWriter {
    /// Writes atomically (`AtomicFile`): the file appears complete under `url` or not at all, and replaces an
    /// existing file only with `overwrite`. Tensors in other dtypes or layouts are converted to row-major float32.
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to url: URL,
                             overwrite: Bool) throws {
        if tensors.keys.contains(SafetensorsHeader.metadataKey) {
            throw LoadingError.invalidTensorName(url, tensor: SafetensorsHeader.metadataKey,
                                                 reason: "is reserved for the metadata")
        }
        let sorted = tensors.sorted { $0.key < $1.key }
        let names = sorted.map(\.key)
        let contents = sorted.map { rowMajorFloat32($0.value) }
        let header = try headerBytes(names: names, tensors: contents, metadata: metadata, url: url)
        try AtomicFile.write(to: url, overwrite: overwrite) { handle in
            var headerLength = UInt64(header.count).littleEndian
            try handle.write(contentsOf: Data(bytes: &headerLength, count: 8))
            try handle.write(contentsOf: header)
            for tensor in contents {
                try withExtendedLifetime(tensor) {
                    try handle.write(contentsOf: Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: tensor.unsafeRawPointer),
                                                      count: tensor.count * 4, deallocator: .none))
                }
            }
        }
    }

    /// The JSON header, padded with spaces to a multiple of 8 bytes so the data section stays aligned.
    private static func headerBytes(names: [String], tensors: [Tensor], metadata: [String: String],
                                    url: URL) throws -> Data {
        var entries: [String: JSONValue] = [:]
        var offset = 0
        for (name, tensor) in zip(names, tensors) {
            let end = offset + tensor.count * 4
            entries[name] = .object([
                "dtype": .string(SafetensorsDType.float32.rawValue),
                "shape": .array(tensor.shape.map { .number(Double($0)) }),
                "data_offsets": .array([.number(Double(offset)), .number(Double(end))]),
            ])
            offset = end
        }
        if !metadata.isEmpty {
            entries[SafetensorsHeader.metadataKey] = .object(metadata.mapValues { .string($0) })
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var header: Data
        do {
            header = try encoder.encode(JSONValue.object(entries))
        } catch {
            throw FileWriteError.writeFailed(url, reason: "cannot encode the header: \(error)")
        }
        header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8))
        return header
    }

    /// The tensor as row-major float32, converting only when it is stored otherwise.
    private static func rowMajorFloat32(_ tensor: Tensor) -> Tensor {
        if tensor.dtype == .float32 && tensor.layout == .rowMajor { return tensor }
        var result = Tensor(uninitializedShape: tensor.shape)
        withExtendedLifetime(tensor) {
            let elements = tensor.unsafeRawPointer
            func element(atMemoryIndex index: Int) -> Float {
                switch tensor.dtype {
                case .float32: elements.load(fromByteOffset: 4 * index, as: Float.self)
                case .bfloat16: HalfPrecision.float(fromBFloat16Bits: elements.load(fromByteOffset: 2 * index, as: UInt16.self))
                }
            }
            result.withUnsafeMutableBufferPointer { target in
                switch tensor.layout {
                case .rowMajor:
                    for index in target.indices { target[index] = element(atMemoryIndex: index) }
                case .channelsLast:
                    let (batch, channels, height, width) = (tensor.shape[0], tensor.shape[1], tensor.shape[2], tensor.shape[3])
                    var index = 0
                    for n in 0..<batch {
                        for c in 0..<channels {
                            for y in 0..<height {
                                for x in 0..<width {
                                    target[index] = element(atMemoryIndex: ((n * height + y) * width + x) * channels + c)
                                    index += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        return result
    }
}
