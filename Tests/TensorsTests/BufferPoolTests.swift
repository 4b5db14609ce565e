import Testing
@testable import ParadiffuseTensors

struct BufferPoolTests {
    private let size = BufferPool.minimumByteCount

    @Test func freedBufferIsReusedForTheSameSize() {
        let pool = BufferPool(capacity: 8 * size)
        let first = pool.take(byteCount: size)
        pool.give(first, byteCount: size)
        #expect(pool.idleBytes == size)
        let other = pool.take(byteCount: 2 * size)
        #expect(other != first)
        #expect(pool.take(byteCount: size) == first)
        #expect(pool.idleBytes == 0)
        pool.give(other, byteCount: 2 * size)
    }

    @Test func smallBuffersAreLeftToMalloc() {
        let pool = BufferPool(capacity: 8 * size)
        let small = pool.take(byteCount: size - 1)
        pool.give(small, byteCount: size - 1)
        #expect(pool.idleBytes == 0)
    }

    @Test func leastRecentlyUsedSizesAreReleasedBeyondCapacity() {
        let pool = BufferPool(capacity: 4 * size)
        let stale = pool.take(byteCount: 2 * size), recent = pool.take(byteCount: size)
        pool.give(stale, byteCount: 2 * size)
        pool.give(recent, byteCount: size)
        #expect(pool.idleBytes == 3 * size)
        let incoming = pool.take(byteCount: 3 * size)
        pool.give(incoming, byteCount: 3 * size)
        #expect(pool.idleBytes == 4 * size)
        #expect(pool.take(byteCount: size) == recent)
        #expect(pool.take(byteCount: 3 * size) == incoming)
    }

    @Test func buffersLargerThanTheCapacityAreNotKept() {
        let pool = BufferPool(capacity: 2 * size)
        let large = pool.take(byteCount: 3 * size)
        pool.give(large, byteCount: 3 * size)
        #expect(pool.idleBytes == 0)
    }

    @Test func buffersAreAlignedForVectorLoads() {
        let pool = BufferPool(capacity: 8 * size)
        let buffer = pool.take(byteCount: size + 3)
        #expect(Int(bitPattern: buffer) % TensorStorage.alignment == 0)
        pool.give(buffer, byteCount: size + 3)
    }
}
