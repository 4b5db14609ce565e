import Foundation

/// Reference fixtures made by Tools/fixtures/*.py from diffusers on PyTorch CPU.
enum FixturePaths {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func unet(_ name: String) -> URL { root.appendingPathComponent("unet").appendingPathComponent(name) }
}
