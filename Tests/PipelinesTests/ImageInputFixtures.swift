import Foundation

/// `Tests/Fixtures/images/`, written by `Tools/fixtures/make_image_input_fixtures.py` with PIL and diffusers.
enum ImageInputFixtures {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/images")
    static let resizeSizes = [(16, 12), (5, 3), (53, 41), (12, 40), (36, 29), (37, 20), (80, 13), (37, 5), (20, 4)]
    static let jpegNames = ["baseline", "baseline-444", "progressive", "gray", "gray-progressive", "restart-422"]

    static func file(_ name: String) -> URL { root.appendingPathComponent(name) }
}
