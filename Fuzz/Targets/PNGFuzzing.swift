import Foundation
import ParadiffusePipelines

enum PNGFuzzing {
    static func run(_ data: Data) throws {
        let contents = try PNGContents(data: data, source: FuzzTarget.source)
        _ = contents.textChunks.count
    }
}
