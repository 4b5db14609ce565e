import Foundation

enum PipelineFixtures {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let pipelineUNet = root.appendingPathComponent("pipelines/unet")
    static let schedulerConfig = root.appendingPathComponent("pipelines/scheduler_config.json")
    static func trajectory(_ name: String) -> URL { root.appendingPathComponent("pipelines/\(name).safetensors") }
}
