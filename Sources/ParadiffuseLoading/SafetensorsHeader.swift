import Foundation

/// The JSON header of a safetensors file, validated against the file's size.
///
/// Layout: an 8-byte little-endian header length N, N bytes of JSON mapping each tensor name to
/// `{"dtype", "shape", "data_offsets": [begin, end]}` (plus an optional `"__metadata__"` string map),
/// then the data section, to which the offsets are relative.
struct SafetensorsHeader: Sendable {
    static let metadataKey = "__metadata__"

    let tensors: [String: TensorInfo]
    let metadata: [String: String]
    /// Where the data section starts in the file.
    let dataStart: Int

    init(fileBytes: UnsafeRawBufferPointer, url: URL) throws {
        guard fileBytes.count >= 8 else { throw LoadingError.truncatedSafetensors(url, byteCount: fileBytes.count) }
        let headerLength = UInt64(littleEndian: fileBytes.loadUnaligned(as: UInt64.self))
        guard headerLength <= UInt64(fileBytes.count - 8) else {
            throw LoadingError.headerLengthBeyondFile(url, headerLength: headerLength, fileSize: fileBytes.count)
        }
        dataStart = 8 + Int(headerLength)
        let json = Data(UnsafeRawBufferPointer(rebasing: fileBytes[8..<dataStart]))
        let root: JSONValue
        do {
            root = try JSONValue.parse(json, from: url)
        } catch let LoadingError.invalidJSON(_, reason) {
            throw LoadingError.invalidHeader(url, reason: reason)
        }
        guard case let .object(entries) = root else {
            throw LoadingError.invalidHeader(url, reason: "expected a JSON object, found \(root.kindDescription)")
        }
        let dataSize = fileBytes.count - dataStart
        var tensors: [String: TensorInfo] = [:]
        var metadata: [String: String] = [:]
        for (name, entry) in entries {
            if name == Self.metadataKey {
                metadata = try Self.metadata(from: entry, url: url)
            } else {
                tensors[name] = try Self.tensorInfo(named: name, from: entry, dataSize: dataSize, url: url)
            }
        }
        try Self.checkCoverage(tensors.values, dataSize: dataSize, url: url)
        self.tensors = tensors
        self.metadata = metadata
    }

    private static func metadata(from entry: JSONValue, url: URL) throws -> [String: String] {
        guard case let .object(members) = entry else {
            throw LoadingError.invalidHeader(url, reason: "\(metadataKey) is \(entry.kindDescription), not an object")
        }
        return try members.mapValues { value in
            guard case let .string(text) = value else {
                throw LoadingError.invalidHeader(url, reason: "\(metadataKey) values must be strings, found \(value.kindDescription)")
            }
            return text
        }
    }

    private static func tensorInfo(named name: String, from entry: JSONValue, dataSize: Int, url: URL) throws -> TensorInfo {
        func invalid(_ reason: String) -> LoadingError { .invalidTensorEntry(url, tensor: name, reason: reason) }
        guard case let .object(fields) = entry else { throw invalid("entry is \(entry.kindDescription), not an object") }

        guard let dtypeValue = fields["dtype"] else { throw invalid("missing dtype") }
        guard case let .string(dtypeName) = dtypeValue else { throw invalid("dtype is \(dtypeValue.kindDescription), not a string") }
        guard let elementType = SafetensorsDType(rawValue: dtypeName) else {
            throw LoadingError.unknownDType(url, tensor: name, dtype: dtypeName)
        }

        guard let shapeValue = fields["shape"] else { throw invalid("missing shape") }
        guard let shape = nonNegativeIntegers(shapeValue) else {
            throw invalid("shape must be an array of non-negative integers")
        }

        guard let offsetsValue = fields["data_offsets"] else { throw invalid("missing data_offsets") }
        guard let offsets = nonNegativeIntegers(offsetsValue), offsets.count == 2, offsets[0] <= offsets[1] else {
            throw invalid("data_offsets must be two non-negative integers [begin, end] with begin <= end")
        }
        let dataOffsets = offsets[0]..<offsets[1]
        guard dataOffsets.upperBound <= dataSize else {
            throw invalid("data_offsets \(offsets) reach beyond the \(dataSize)-byte data section")
        }

        let (elementCount, overflow) = shape.reduce((1, false)) { partial, dimension in
            let (product, overflow) = partial.0.multipliedReportingOverflow(by: dimension)
            return (product, partial.1 || overflow)
        }
        guard !overflow, let expectedBytes = elementType.byteCount(elements: elementCount) else {
            throw invalid("shape \(shape) of \(dtypeName) does not occupy a whole number of bytes")
        }
        guard dataOffsets.count == expectedBytes else {
            throw invalid("data_offsets \(offsets) span \(dataOffsets.count) bytes, "
                + "but shape \(shape) of \(dtypeName) needs \(expectedBytes)")
        }
        return TensorInfo(name: name, elementType: elementType, shape: shape, dataOffsets: dataOffsets)
    }

    private static func nonNegativeIntegers(_ value: JSONValue) -> [Int]? {
        guard case let .array(elements) = value else { return nil }
        var integers: [Int] = []
        for element in elements {
            guard let integer = element.integer, integer >= 0 else { return nil }
            integers.append(integer)
        }
        return integers
    }

    /// The tensors' bytes tile the data section, as the safetensors format requires: no overlap, no gap, nothing
    /// after the last tensor. A header length a few bytes off shifts every tensor into the wrong bytes, which only
    /// this check notices (the file still parses).
    private static func checkCoverage(_ tensors: some Collection<TensorInfo>, dataSize: Int, url: URL) throws {
        let ordered = tensors.filter { !$0.dataOffsets.isEmpty }
            .sorted { ($0.dataOffsets.lowerBound, $0.name) < ($1.dataOffsets.lowerBound, $1.name) }
        var covered = 0
        for (index, tensor) in ordered.enumerated() {
            if tensor.dataOffsets.lowerBound < covered {
                throw LoadingError.overlappingTensors(url, first: ordered[index - 1].name, second: tensor.name)
            }
            if tensor.dataOffsets.lowerBound > covered {
                throw LoadingError.invalidHeader(url, reason: "bytes \(covered)..<\(tensor.dataOffsets.lowerBound) of the "
                    + "data section belong to no tensor (before '\(tensor.name)'): the header or its length is wrong")
            }
            covered = tensor.dataOffsets.upperBound
        }
        guard covered == dataSize else {
            throw LoadingError.invalidHeader(url, reason: "the tensors end at byte \(covered) of a \(dataSize)-byte data "
                + "section: the header or its length is wrong, or the file has trailing bytes")
        }
    }
}
