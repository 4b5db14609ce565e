import Foundation
import ParadiffusePipelines

enum JPEGFuzzing {
    static func run(_ data: Data) throws {
        let image = try RGBImage(jpegData: data, source: FuzzTarget.source)
        _ = image.pixels.count
    }
}
