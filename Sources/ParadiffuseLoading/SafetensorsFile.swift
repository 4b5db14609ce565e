import Foundation
import ParadiffuseTensors

/// A safetensors file, memory-mapped; its header is validated in full when it is opened.
public final class SafetensorsFile: Sendable {
    public let url: URL
    /// Tensor names, sorted.
    public let tensorNames: [String]
    public let metadata: [String: String]
    private let infos: [String: TensorInfo]
    private let mapping: any ByteSource
    private let dataStart: Int

    public convenience init(url: URL) throws {
        try self.init(bytes: MappedFile(url: url), url: url)
    }

    /// A safetensors file held in memory (an upload, a test's bytes); `source` names it in errors.
    public convenience init(data: Data, source: URL) throws {
        try self.init(bytes: CopiedBytes(data), url: source)
    }

    private init(bytes: any ByteSource, url: URL) throws {
        self.url = url
        mapping = bytes
        let header = try SafetensorsHeader(fileBytes: mapping.bytes, url: url)
        infos = header.tensors
        metadata = header.metadata
        dataStart = header.dataStart
        tensorNames = header.tensors.keys.sorted()
    }

    public func contains(_ name: String) -> Bool { infos[name] != nil }

    public func info(named name: String) throws -> TensorInfo {
        guard let info = infos[name] else { throw LoadingError.tensorNotFound(url, tensor: name) }
        return info
    }

    /// The tensor converted to a row-major float32 tensor (from F32, F16, BF16 exactly; from F64 rounded).
    public func tensor(named name: String) throws -> Tensor {
        try tensor(named: name, as: .float32)
    }

    /// The tensor as a row-major tensor of `dtype` (bfloat16 rounds to nearest even). F32 and BF16 data is read
    /// from the mapped file without copying, and converted straight from it when `dtype` differs; other types are
    /// widened into memory of their own first, and the file pages read for them released.
    public func tensor(named name: String, as dtype: DType) throws -> Tensor {
        let info = try info(named: name)
        guard info.elementType.convertsToFloat32 else {
            throw LoadingError.notConvertibleToFloat32(url, tensor: name, dtype: info.dtype)
        }
        let source = UnsafeRawBufferPointer(rebasing: mapping.bytes[
            (dataStart + info.dataOffsets.lowerBound)..<(dataStart + info.dataOffsets.upperBound)])
        if let storedDType = Self.tensorDType(of: info.elementType), let base = source.baseAddress, !source.isEmpty,
           Int(bitPattern: base) % storedDType.byteSize == 0 {
            return Tensor(mappedBytes: base, shape: info.shape, dtype: storedDType, owner: mapping).converted(to: dtype)
        }
        var tensor = Tensor(uninitializedShape: info.shape)
        tensor.withUnsafeMutableBufferPointer { target in
            Self.convert(source, of: info.elementType, into: target)
        }
        mapping.releasePages(of: source)
        return tensor.converted(to: dtype)
    }

    /// The tensor dtype that holds elements of `type` as they are, if any.
    private static func tensorDType(of type: SafetensorsDType) -> DType? {
        switch type {
        case .float32: .float32
        case .bfloat16: .bfloat16
        default: nil
        }
    }

    /// Widens little-endian elements to float32.
    private static func convert(_ source: UnsafeRawBufferPointer, of type: SafetensorsDType,
                                into target: UnsafeMutableBufferPointer<Float>) {
        guard let sourceBase = source.baseAddress, let targetBase = target.baseAddress, !target.isEmpty else { return }
        switch type {
        case .float32:
            UnsafeMutableRawBufferPointer(target).copyMemory(from: source)
        case .float16:
            HalfPrecision.widenFloat16(sourceBase, into: targetBase, count: target.count)
        case .bfloat16:
            HalfPrecision.widenBFloat16(sourceBase, into: targetBase, count: target.count)
        case .float64:
            for index in 0..<target.count {
                let bits = UInt64(littleEndian: sourceBase.loadUnaligned(fromByteOffset: 8 &* index, as: UInt64.self))
                targetBase[index] = Float(Double(bitPattern: bits))
            }
        default:
            preconditionFailure("\(type) does not convert to float32")
        }
    }
}
