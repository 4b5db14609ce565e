import Foundation
import ParadiffuseLoading

enum SafetensorsFuzzing {
    /// Opens the file and reads every tensor as float32 (the header's offsets are trusted only once validated).
    static func run(_ data: Data) throws {
        let file = try SafetensorsFile(data: data, source: FuzzTarget.source)
        _ = file.metadata
        for name in file.tensorNames {
            _ = try? file.tensor(named: name)
            _ = try? file.tensor(named: name, as: .bfloat16)
        }
    }
}
