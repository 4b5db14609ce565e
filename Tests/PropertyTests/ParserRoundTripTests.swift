import Foundation
import ParadiffuseLoading
import PropertyBased
import ParadiffuseTensors
import Testing
import ParadiffuseTokenizers

/// Round trips through the parsers that read untrusted files (issue 13): what a writer writes, they read back
/// unchanged, for any content.
struct ParserRoundTripTests {
    @Test func jsonThatFoundationWritesParsesBackToTheSameValue() async throws {
        await propertyCheck(count: 500, input: Gen.int(in: 0...Int.max)) { seed in
            var random = RandomJSON(seed: UInt64(seed))
            let value = random.value()
            let data = try JSONEncoder().encode(value)
            let parsed = try JSONValue.parse(data, from: URL(fileURLWithPath: "/property.json"))
            #expect(parsed == value, "seed \(seed): \(String(decoding: data, as: UTF8.self))")
        }
    }

    @Test func safetensorsFilesReadBackEveryTensorExactly() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("property-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let shape = Gen.int(in: 0...4).array(of: 0...3)
        await propertyCheck(count: 200, input: shape.array(of: 0...5), Gen.int(in: 0...Int.max)) { shapes, seed in
            var generator = SplitMix(seed: UInt64(seed))
            var tensors: [String: Tensor] = [:]
            for (index, shape) in shapes.enumerated() {
                let count = shape.reduce(1, *)
                let scalars = (0..<count).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: generator.next())) }
                tensors["layer.\(index).ü \"w\""] = Tensor(shape: shape, scalars: scalars)
            }
            let url = folder.appendingPathComponent("\(seed).safetensors")
            try SafetensorsWriter.write(tensors, metadata: ["format": "pt"], to: url, overwrite: true)
            for file in [try SafetensorsFile(url: url), try SafetensorsFile(data: Data(contentsOf: url), source: url)] {
                #expect(file.tensorNames == tensors.keys.sorted())
                #expect(file.metadata == ["format": "pt"])
                for (name, tensor) in tensors {
                    let read = try file.tensor(named: name)
                    #expect(read.shape == tensor.shape)
                    // Bit patterns, so that NaNs of any payload compare.
                    #expect(read.scalars.map(\.bitPattern) == tensor.scalars.map(\.bitPattern), "\(name), seed \(seed)")
                }
            }
        }
    }

    @Test func lowercaseWordsDecodeBackToTheirText() async throws {
        let tokenizer = try CLIPTokenizer(folder: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/clip-tokenizer"))
        let words = Gen.lowercaseLetter.string(of: 1...12).array(of: 1...20)
        await propertyCheck(count: 300, input: words) { words in
            let text = words.joined(separator: " ")
            let ids = tokenizer.encode(text)
            #expect(ids.first == tokenizer.startTokenID && ids.last == tokenizer.endTokenID)
            #expect(tokenizer.decode(Array(ids.dropFirst().dropLast())) == text)
        }
    }
}
