import ParadiffuseDistributed
import Testing

@Test func slicesCoverTheBatchInOrderAndDifferByAtMostOne() {
    for count in 0...9 {
        for parts in 1...5 {
            let slices = nearEqualSlices(of: count, parts: parts)
            #expect(slices.count == parts)
            #expect(slices.first?.lowerBound == 0 && slices.last?.upperBound == count)
            #expect(zip(slices, slices.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
            let sizes = slices.map(\.count)
            #expect(sizes.max()! - sizes.min()! <= 1)
            #expect(sizes == sizes.sorted(by: >))
        }
    }
}

@Test func moreRanksThanItemsLeaveTheLastRanksIdle() {
    #expect(nearEqualSlices(of: 2, parts: 4) == [0..<1, 1..<2, 2..<2, 2..<2])
    #expect(nearEqualSlices(of: 7, parts: 3) == [0..<3, 3..<5, 5..<7])
}
