import Foundation
import Loading

extension UNet2DModel {
    /// Loads a UNet2DModel component folder (`config.json` + `diffusion_pytorch_model[.variant].safetensors`,
    /// single or sharded).
    public convenience init(componentFolder folder: URL, variant: String? = nil) throws {
        let configuration = try UNet2DConfiguration.read(from: folder.appendingPathComponent("config.json"))
        let store = try WeightStore(componentFolder: folder, variant: variant)
        try self.init(configuration: configuration, weights: ModelWeights(store))
    }
}

extension ModelWeights {
    /// The weights of a safetensors file or sharded set.
    public init(_ store: WeightStore) {
        self.init(source: store.url.path) { name in
            store.contains(name) ? try store.tensor(named: name) : nil
        }
    }
}
