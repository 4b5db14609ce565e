import Foundation
import Testing
import ParadiffuseTensors
@testable import ParadiffuseLoading

private func bitPatterns(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

@Test func float16ConvertsExactlyAsTorchDoes() throws {
    let file = try SafetensorsFile(url: loadingFixture("half_precision.safetensors"))
    #expect(try file.info(named: "f16").dtype == "F16")
    let converted = try file.tensor(named: "f16")
    let expected = try file.tensor(named: "f16_as_f32")
    #expect(converted.shape == expected.shape)
    #expect(bitPatterns(converted.scalars) == bitPatterns(expected.scalars))
    let float16Subnormals = converted.scalars.filter { $0 != 0 && abs($0) < 0x1p-14 }
    #expect(float16Subnormals.contains(0x1p-24) && float16Subnormals.contains(-0x1p-24))
    #expect(converted.scalars.contains(.infinity) && converted.scalars.contains(-.infinity))
    #expect(converted.scalars.contains { $0.isNaN })
}

@Test func bfloat16ConvertsExactlyAsTorchDoes() throws {
    let file = try SafetensorsFile(url: loadingFixture("half_precision.safetensors"))
    #expect(try file.info(named: "bf16").dtype == "BF16")
    let converted = try file.tensor(named: "bf16")
    let expected = try file.tensor(named: "bf16_as_f32")
    #expect(converted.shape == expected.shape)
    #expect(bitPatterns(converted.scalars) == bitPatterns(expected.scalars))
}

#if !(os(macOS) && arch(x86_64))
@Test func everyFloat16BitPatternMatchesSwiftFloat16() {
    for bits in UInt16.min...UInt16.max {
        let converted = HalfPrecision.float(fromFloat16Bits: bits)
        let reference = Float(Float16(bitPattern: bits))
        #expect(converted.bitPattern == reference.bitPattern, "bits \(String(bits, radix: 16))")
    }
}
#endif

@Test func integerTensorsAreListedButNotConvertedToFloat() throws {
    let url = loadingFixture("half_precision.safetensors")
    let file = try SafetensorsFile(url: url)
    #expect(file.tensorNames == ["bf16", "bf16_as_f32", "f16", "f16_as_f32", "steps"])
    #expect(file.metadata == ["format": "pt"])
    let info = try file.info(named: "steps")
    #expect(info.dtype == "I64")
    #expect(info.shape == [3])
    #expect(info.byteCount == 24)
    #expect {
        try file.tensor(named: "steps")
    } throws: { error in
        let message = "\(error)"
        return message.contains(url.path) && message.contains("'steps'") && message.contains("I64")
    }
}

@Test func float64TensorsAreRoundedToFloat32() throws {
    let values: [Double] = [0.1, -2.5, 1e300, 0x1p-149]
    let header = #"{"d": {"dtype": "F64", "shape": [4], "data_offsets": [0, 32]}}"#
    var length = UInt64(header.utf8.count).littleEndian
    var bytes = Data(bytes: &length, count: 8)
    bytes.append(contentsOf: Array(header.utf8))
    for value in values {
        var bits = value.bitPattern.littleEndian
        bytes.append(Data(bytes: &bits, count: 8))
    }
    let folder = try TemporaryFolder()
    let file = try SafetensorsFile(url: try folder.write(bytes, to: "double.safetensors"))
    #expect(try file.tensor(named: "d").scalars == [Float(0.1), -2.5, .infinity, 0x1p-149])
}

@Test func writerWidensBFloat16TensorsToFloat32() throws {
    let tensor = Tensor(uninitializedShape: [3], dtype: .bfloat16)
    let bits: [UInt16] = [0x3F80, 0xC040, 0x0001]  // 1, -3, the smallest bfloat16 subnormal
    UnsafeMutableRawPointer(mutating: tensor.unsafeRawPointer).copyMemory(from: bits, byteCount: 6)
    let folder = try TemporaryFolder()
    let url = folder.file("widened.safetensors")
    try SafetensorsWriter.write(["b": tensor], to: url, overwrite: false)
    let file = try SafetensorsFile(url: url)
    #expect(try file.info(named: "b").dtype == "F32")
    #expect(try file.tensor(named: "b").scalars == [1, -3, 0x1p-133])
}
