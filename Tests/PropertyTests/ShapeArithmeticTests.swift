import ParadiffuseDistributed
import PropertyBased
import ParadiffuseTensors
import Testing

/// Shape arithmetic the processes and batches rely on, for any sizes.
struct ShapeArithmeticTests {
    @Test func nearEqualSlicesCoverEveryItemOnceInOrder() async {
        await propertyCheck(count: 500, input: Gen.int(in: 0...10_000), Gen.int(in: 1...300)) { count, parts in
            let slices = nearEqualSlices(of: count, parts: parts)
            #expect(slices.count == parts)
            #expect(slices.first?.lowerBound == 0 && slices.last?.upperBound == count)
            #expect(zip(slices, slices.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
            let sizes = slices.map(\.count)
            #expect((sizes.max() ?? 0) - (sizes.min() ?? 0) <= 1)
            #expect(sizes == sizes.sorted(by: >), "larger slices come first")
        }
    }

    @Test func batchesSplitAndJoinBackToTheSameTensor() async {
        let shape = Gen.int(in: 1...4).array(of: 3...3)
        await propertyCheck(count: 200, input: Gen.int(in: 1...9), shape) { batch, itemShape in
            let shape = [batch] + itemShape
            let tensor = Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map(Float.init))
            let pieces = nearEqualSlices(of: batch, parts: min(batch, 3)).map { tensor.batchItems($0) }
            let joined = Tensor.concatenatingBatches(pieces)
            #expect(joined.shape == tensor.shape && joined.scalars == tensor.scalars)
        }
    }
}
