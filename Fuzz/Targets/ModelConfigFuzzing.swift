import Foundation
import Loading
import Models

enum ModelConfigFuzzing {
    /// Reads the bytes as each model's `config.json`, as loading does (parsed, then checked).
    static func run(_ data: Data) {
        let url = FuzzTarget.source
        _ = try? UNet2DConfiguration.decode(data, from: url)
        guard let config = try? JSONConfig(data: data, url: url) else { return }
        _ = try? UNet2DConditionConfiguration(config)
        _ = try? AutoencoderKLConfiguration(config).validate(file: url.path)
        _ = try? CLIPTextConfiguration(config).validate(file: url.path)
        _ = try? DiTTransformer2DConfiguration(config).validate(file: url.path)
    }
}
