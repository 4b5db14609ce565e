import ParadiffuseDistributed
import Testing

@Test func allGatherCostsOneRoundPerDoublingAndTheBytesFromOtherRanks() {
    let cost = AllGatherCost(secondsPerRound: 1e-5, secondsPerByte: 1e-9)
    #expect(cost.seconds(bytes: 1_000_000, ranks: 1) == 0)
    #expect(abs(cost.seconds(bytes: 1_000_000, ranks: 2) - (1e-5 + 0.5e-3)) < 1e-12)
    #expect(abs(cost.seconds(bytes: 1_000_000, ranks: 8) - (3e-5 + 0.875e-3)) < 1e-12)
    #expect(abs(cost.seconds(bytes: 1_000_000, ranks: 9) - (4e-5 + 8.0 / 9 * 1e-3)) < 1e-12)
}

@Test func anIterationTakesTheLargestSliceAndOneAllGather() {
    let cost = AllGatherCost(secondsPerRound: 1e-5, secondsPerByte: 1e-9)
    var asked: [Int] = []
    let prediction = RankScalingPrediction(ranks: 16, latents: 64, branches: 2, outputBytes: 4096, allGather: cost) {
        asked.append($0)
        return Double($0) * 0.01
    }
    #expect(asked == [8])
    #expect(prediction.sliceItems == 8)
    #expect(abs(prediction.iterationSeconds - (0.08 + cost.seconds(bytes: 64 * 4096, ranks: 16))) < 1e-12)
    #expect(RankScalingPrediction(ranks: 64, latents: 10, branches: 1, outputBytes: 4, allGather: cost) { Double($0) }
        .sliceItems == 1)
}
