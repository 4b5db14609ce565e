/// The 32-bit Mersenne Twister (MT19937), seeded the way PyTorch's CPU generator seeds it: the low 32 bits of
/// the seed start the standard `init_genrand` recurrence (so seeds 5 and 2³² + 5 give the same stream).
struct MersenneTwister: Sendable {
    private static let stateCount = 624
    private static let middleOffset = 397
    private static let twistMatrix: UInt32 = 0x9908_b0df

    private var state: [UInt32]
    private var nextIndex: Int

    init(seed: UInt64) {
        var state = [UInt32](repeating: 0, count: Self.stateCount)
        state[0] = UInt32(truncatingIfNeeded: seed)
        for index in 1..<Self.stateCount {
            let previous = state[index - 1]
            state[index] = 1_812_433_253 &* (previous ^ (previous >> 30)) &+ UInt32(index)
        }
        self.state = state
        nextIndex = Self.stateCount
    }

    mutating func next() -> UInt32 {
        if nextIndex == Self.stateCount { regenerate() }
        var value = state[nextIndex]
        nextIndex += 1
        value ^= value >> 11
        value ^= (value << 7) & 0x9d2c_5680
        value ^= (value << 15) & 0xefc6_0000
        value ^= value >> 18
        return value
    }

    /// Two draws as one 64-bit number, the first in the high half (PyTorch's `random64()`).
    mutating func next64() -> UInt64 {
        let high = UInt64(next())
        return high << 32 | UInt64(next())
    }

    /// Replaces all 624 words of state by the twist recurrence.
    private mutating func regenerate() {
        let count = Self.stateCount, offset = Self.middleOffset
        state.withUnsafeMutableBufferPointer { words in
            func twisted(_ upper: UInt32, _ lower: UInt32, _ far: UInt32) -> UInt32 {
                let mixed = (upper & 0x8000_0000) | (lower & 0x7fff_ffff)
                return far ^ (mixed >> 1) ^ ((mixed & 1) == 0 ? 0 : Self.twistMatrix)
            }
            for index in 0..<count - offset {
                words[index] = twisted(words[index], words[index + 1], words[index + offset])
            }
            for index in count - offset..<count - 1 {
                words[index] = twisted(words[index], words[index + 1], words[index + offset - count])
            }
            words[count - 1] = twisted(words[count - 1], words[0], words[offset - 1])
        }
        nextIndex = 0
    }
}
