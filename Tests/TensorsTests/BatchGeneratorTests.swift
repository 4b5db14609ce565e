import ParadiffuseTensors
import Testing

struct BatchGeneratorTests {
    /// With one generator per image, item `i` of every draw continues generator `seed + i`'s own stream.
    @Test func perImageDrawsContinueEachImagesStream() {
        var batch = BatchGenerator(seed: 9, perImage: 3)
        let first = batch.randn([3, 2, 5, 5]), second = batch.randn([3, 17])
        for image in 0..<3 {
            var own = TorchGenerator(seed: 9 + UInt64(image))
            #expect(first.batchItem(image).scalars == own.randn([1, 2, 5, 5]).scalars)
            #expect(second.batchItem(image).scalars == own.randn([1, 17]).scalars)
        }
    }

    @Test func oneGeneratorDrawsEachTensorWhole() {
        var batch = BatchGenerator(seed: 9)
        var torch = TorchGenerator(seed: 9)
        #expect(batch.randn([3, 2, 5, 5]).scalars == torch.randn([3, 2, 5, 5]).scalars)
        #expect(!batch.perImage)
    }

    @Test func seedsWrapPastTheLargest() {
        #expect(BatchGenerator.seed(.max, image: 1) == 0)
        var batch = BatchGenerator(seed: .max, perImage: 2)
        var wrapped = TorchGenerator(seed: 0)
        #expect(batch.randn([2, 4]).batchItem(1).scalars == wrapped.randn([1, 4]).scalars)
    }
}
