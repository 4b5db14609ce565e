import Foundation
import ParadiffuseLoading
import Testing
@testable import ParadiffuseTensors

/// Fixtures from Tools/fixtures/make_random_fixtures.py (torch 2.15 on x86-64 with AVX-512); every comparison is
/// bit for bit.
struct TorchGeneratorTests {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/Fixtures/random")

    static func fixture(_ name: String) throws -> SafetensorsFile {
        try SafetensorsFile(url: fixtures.appendingPathComponent(name))
    }

    /// The first element whose bits differ, with both values, or nil when the tensors are identical.
    static func firstMismatch(_ actual: Tensor, _ expected: Tensor) -> String? {
        guard actual.shape == expected.shape else { return "shape \(actual.shape), expected \(expected.shape)" }
        let actualValues = actual.scalars, expectedValues = expected.scalars
        guard let index = actualValues.indices.first(where: {
            actualValues[$0].bitPattern != expectedValues[$0].bitPattern
        }) else { return nil }
        func described(_ value: Float) -> String { "\(value) (0x\(String(value.bitPattern, radix: 16)))" }
        return "element \(index): \(described(actualValues[index])), expected \(described(expectedValues[index]))"
    }

    @Test func mersenneTwisterMatchesTheStandardsCheckValue() {
        // C++ [rand.predef]: the 10000th output of a default-constructed mt19937 (seed 5489) is 4123659995.
        var engine = MersenneTwister(seed: 5489)
        for _ in 1..<10000 { _ = engine.next() }
        #expect(engine.next() == 4_123_659_995)
    }

    @Test(arguments: [0, 42, (1 << 32) + 5, 123_456_789] as [UInt64])
    func randnMatchesTorchForEachSize(seed: UInt64) throws {
        let file = try Self.fixture("seed-\(seed).safetensors")
        #expect(file.tensorNames.count == 9)
        for name in file.tensorNames {
            let expected = try file.tensor(named: name)
            var generator = TorchGenerator(seed: seed)
            let mismatch = Self.firstMismatch(generator.randn(expected.shape), expected)
            #expect(mismatch == nil, "seed \(seed), \(name): \(mismatch ?? "")")
        }
    }

    @Test func consecutiveDrawsContinueTorchsStream() throws {
        let file = try Self.fixture("sequence.safetensors")
        #expect(file.tensorNames.count == 14)
        var generator = TorchGenerator(seed: 42)
        for name in file.tensorNames.sorted() {
            let expected = try file.tensor(named: name)
            let mismatch = Self.firstMismatch(generator.randn(expected.shape), expected)
            #expect(mismatch == nil, "\(name) \(expected.shape): \(mismatch ?? "")")
        }
    }

    @Test func normalWithMeanAndDeviationMatchesTorch() throws {
        let file = try Self.fixture("normal.safetensors")
        let mean = try #require(file.metadata["mean"].flatMap(Double.init))
        let deviation = try #require(file.metadata["std"].flatMap(Double.init))
        for name in ["normal_7", "normal_100"] {
            let expected = try file.tensor(named: name)
            var generator = TorchGenerator(seed: 7)
            let drawn = generator.normal(expected.shape, mean: mean, standardDeviation: deviation)
            let mismatch = Self.firstMismatch(drawn, expected)
            #expect(mismatch == nil, "\(name): \(mismatch ?? "")")
        }
    }

    @Test func copiedGeneratorRepeatsTheOriginalsDraws() {
        var original = TorchGenerator(seed: 9)
        _ = original.randn([3])  // leaves the scalar path's second sample cached
        var copy = original
        for shape in [[1], [40], [2], [16]] {
            #expect(Self.firstMismatch(copy.randn(shape), original.randn(shape)) == nil, "\(shape)")
        }
    }

    @Test func emptyDrawConsumesNothing() {
        var drawsEmpty = TorchGenerator(seed: 3), drawsNothing = TorchGenerator(seed: 3)
        #expect(drawsEmpty.randn([0, 4]).count == 0)
        #expect(Self.firstMismatch(drawsEmpty.randn([20]), drawsNothing.randn([20])) == nil)
    }
}
