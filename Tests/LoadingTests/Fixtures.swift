import Foundation

/// Files under Tests/Fixtures/loading, made by Tools/fixtures/make_loading_fixtures.py.
func loadingFixture(_ relativePath: String) -> URL {
    URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // LoadingTests
        .deletingLastPathComponent()  // Tests
        .appendingPathComponent("Fixtures/loading")
        .appendingPathComponent(relativePath)
}
