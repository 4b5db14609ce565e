import Foundation
import Testing
@testable import ParadiffuseLoading

/// The bytes of a safetensors file: little-endian header length, `header` as given, then `dataSize` zero bytes.
private func safetensorsBytes(header: String, dataSize: Int = 0) -> Data {
    var length = UInt64(header.utf8.count).littleEndian
    var bytes = Data(bytes: &length, count: 8)
    bytes.append(contentsOf: Array(header.utf8))
    bytes.append(Data(count: dataSize))
    return bytes
}

/// Opens `bytes` as a file and returns the message of the error it must raise; the message must name the file.
private func openingError(_ bytes: Data, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    let folder = try TemporaryFolder()
    let url = try folder.write(bytes, to: "bad.safetensors")
    do {
        _ = try SafetensorsFile(url: url)
    } catch {
        let message = "\(error)"
        #expect(message.contains(url.path), "message does not name the file: \(message)", sourceLocation: sourceLocation)
        return message
    }
    Issue.record("opening did not fail", sourceLocation: sourceLocation)
    return ""
}

@Test func fileShorterThanHeaderLengthIsRejected() throws {
    #expect(try openingError(Data([1, 0, 0])).contains("shorter than the 8-byte header length"))
    #expect(try openingError(Data()).contains("0 bytes"))
}

@Test func headerLengthBeyondFileIsRejected() throws {
    var bytes = safetensorsBytes(header: "{}")
    bytes.replaceSubrange(0..<8, with: [0xFF, 0xFF, 0, 0, 0, 0, 0, 0])
    #expect(try openingError(bytes).contains("header length 65535 reaches beyond the end of the 10-byte file"))
    bytes.replaceSubrange(0..<8, with: [UInt8](repeating: 0xFF, count: 8))
    #expect(try openingError(bytes).contains("header length 18446744073709551615"))
}

@Test func headerThatIsNotJSONIsRejected() throws {
    #expect(try openingError(safetensorsBytes(header: "{\"a\": [1, 2")).contains("not valid JSON"))
    #expect(try openingError(safetensorsBytes(header: "[1, 2]")).contains("expected a JSON object, found an array"))
}

@Test func tensorEntryMissingAFieldIsRejected() throws {
    let missingDType = try openingError(safetensorsBytes(header: #"{"w": {"shape": [1], "data_offsets": [0, 4]}}"#, dataSize: 4))
    #expect(missingDType.contains("tensor 'w': missing dtype"))
    let missingShape = try openingError(safetensorsBytes(header: #"{"w": {"dtype": "F32", "data_offsets": [0, 4]}}"#, dataSize: 4))
    #expect(missingShape.contains("tensor 'w': missing shape"))
    let missingOffsets = try openingError(safetensorsBytes(header: #"{"w": {"dtype": "F32", "shape": [1]}}"#, dataSize: 4))
    #expect(missingOffsets.contains("tensor 'w': missing data_offsets"))
    let notAnObject = try openingError(safetensorsBytes(header: #"{"w": 3}"#))
    #expect(notAnObject.contains("tensor 'w': entry is a number, not an object"))
}

@Test func malformedShapeOrOffsetsAreRejected() throws {
    let negativeShape = try openingError(safetensorsBytes(header: #"{"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}"#, dataSize: 4))
    #expect(negativeShape.contains("tensor 'w': shape must be an array of non-negative integers"))
    let fractionalShape = try openingError(safetensorsBytes(header: #"{"w": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]}}"#, dataSize: 4))
    #expect(fractionalShape.contains("tensor 'w': shape must be"))
    let reversedOffsets = try openingError(safetensorsBytes(header: #"{"w": {"dtype": "F32", "shape": [0], "data_offsets": [4, 0]}}"#, dataSize: 4))
    #expect(reversedOffsets.contains("tensor 'w': data_offsets must be two non-negative integers"))
    let threeOffsets = try openingError(safetensorsBytes(header: #"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4, 8]}}"#, dataSize: 8))
    #expect(threeOffsets.contains("tensor 'w': data_offsets must be two"))
}

@Test func dataOffsetsBeyondTheDataSectionAreRejected() throws {
    let message = try openingError(safetensorsBytes(header: #"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}"#, dataSize: 4))
    #expect(message.contains("tensor 'w': data_offsets [0, 8] reach beyond the 4-byte data section"))
}

@Test func dataOffsetsThatDisagreeWithShapeAndDTypeAreRejected() throws {
    let message = try openingError(safetensorsBytes(header: #"{"w": {"dtype": "F16", "shape": [2, 3], "data_offsets": [0, 24]}}"#, dataSize: 24))
    #expect(message.contains("tensor 'w': data_offsets [0, 24] span 24 bytes, but shape [2, 3] of F16 needs 12"))
}

@Test func unknownDTypeIsRejected() throws {
    let message = try openingError(safetensorsBytes(header: #"{"w": {"dtype": "F17", "shape": [1], "data_offsets": [0, 4]}}"#, dataSize: 4))
    #expect(message.contains("tensor 'w' has unknown dtype 'F17'"))
}

@Test func overlappingTensorDataIsRejected() throws {
    let header = #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}"#
    #expect(try openingError(safetensorsBytes(header: header, dataSize: 12)).contains("tensors 'a' and 'b' overlap"))
}

@Test func theDataSectionMustBeExactlyCovered() throws {
    let two = #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}"#
    #expect(try openingError(safetensorsBytes(header: two, dataSize: 12)).contains("end at byte 8 of a 12-byte"))
    let gap = #"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}"#
    #expect(try openingError(safetensorsBytes(header: gap, dataSize: 8)).contains("bytes 0..<4 of the data section"))
}

/// A header length a few bytes short still parses (its JSON ends early within trailing spaces) but moves the data
/// section: every weight would be read shifted. The coverage check refuses it.
@Test func headerLengthAFewBytesShortIsRejected() throws {
    let header = #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}    "#
    var bytes = safetensorsBytes(header: header, dataSize: 8)
    var shorter = UInt64(header.utf8.count - 4).littleEndian
    bytes.replaceSubrange(0..<8, with: Data(bytes: &shorter, count: 8))
    #expect(try openingError(bytes).contains("12-byte data section"))
}

@Test func aTensorNamedTwiceIsRejected() throws {
    let header = #"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}"#
    #expect(try openingError(safetensorsBytes(header: header, dataSize: 8)).contains("duplicate key 'a'"))
}

@Test func malformedMetadataIsRejected() throws {
    let message = try openingError(safetensorsBytes(header: #"{"__metadata__": {"epoch": 3}}"#))
    #expect(message.contains("__metadata__ values must be strings, found a number"))
}

@Test func unorderedButDisjointTensorsAreAccepted() throws {
    let header = #"{"late": {"dtype": "BF16", "shape": [2], "data_offsets": [4, 8]}, "early": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}, "none": {"dtype": "F32", "shape": [0], "data_offsets": [4, 4]}}  "#
    var bytes = safetensorsBytes(header: header)
    bytes.append(contentsOf: [0x80, 0x3F, 0x00, 0x40, 0x40, 0xC0, 0x80, 0x7F] as [UInt8])  // BF16 1, 2, -3, +inf
    let folder = try TemporaryFolder()
    let file = try SafetensorsFile(url: try folder.write(bytes, to: "unordered.safetensors"))
    #expect(file.tensorNames == ["early", "late", "none"])
    #expect(try file.tensor(named: "early").scalars == [1, 2])
    #expect(try file.tensor(named: "late").scalars == [-3, .infinity])
    #expect(try file.tensor(named: "none").shape == [0])
}

@Test func missingFileErrorNamesTheFile() throws {
    let folder = try TemporaryFolder()
    let url = folder.file("absent.safetensors")
    #expect {
        try SafetensorsFile(url: url)
    } throws: { error in
        "\(error)".contains(url.path) && "\(error)".contains("No such file")
    }
}
