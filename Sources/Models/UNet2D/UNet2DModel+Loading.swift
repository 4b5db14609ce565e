import Foundation
import Loading
import Tensors

extension UNet2DModel {
    /// Loads a UNet2DModel component folder (`config.json` + `diffusion_pytorch_model[.variant].safetensors`,
    /// single or sharded) to compute in `precision`.
    public convenience init(componentFolder folder: URL, variant: String? = nil, precision: Precision = .float32) throws {
        let configuration = try UNet2DConfiguration.read(from: folder.appendingPathComponent("config.json"))
        let store = try WeightStore(componentFolder: folder, variant: variant)
        try self.init(configuration: configuration, weights: ModelWeights(store, precision: precision))
    }
}

extension ModelWeights {
    /// The weights of a safetensors file or sharded set, for a model computing in `precision`.
    public init(_ store: WeightStore, precision: Precision = .float32) {
        self.init(source: store.url.path, precision: precision) { name, dtype in
            store.contains(name) ? try store.tensor(named: name, as: dtype) : nil
        }
    }
}
