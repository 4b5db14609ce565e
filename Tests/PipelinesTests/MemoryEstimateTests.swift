import ParadiffusePipelines
import Testing

@Test func runsEstimatedAboveTheAvailableMemoryAreRefusedUnlessForced() throws {
    let estimate = MemoryEstimate([
        .init("the UNet", items: 2, channels: 320, height: 128, width: 128),
        .init("the VAE", items: 1, channels: 128, height: 1024, width: 1024),
    ])
    #expect(estimate.peak.name == "the VAE")
    #expect(estimate.bytes == 8 * 4 * 128 * 1024 * 1024)
    #expect(throws: Never.self) { try estimate.check(force: false, available: estimate.bytes) }
    #expect(throws: Never.self) { try estimate.check(force: true, available: 1) }
    #expect {
        try estimate.check(force: false, available: 1_073_741_824)
    } throws: { error in
        "\(error)" == "this run needs about 4.0 GiB for the VAE (1 × 1024×1024), but 1.0 GiB are available: "
            + "lower --count, --width or --height, or pass --force to try anyway"
    }
}
