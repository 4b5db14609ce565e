import Foundation
import ParadiffuseLoading
import ParadiffuseTensors

extension UNet2DModel {
    /// Loads a UNet2DModel component folder (`config.json` + `diffusion_pytorch_model[.variant].safetensors`,
    /// single or sharded) to compute in `precision` (with layers quantized as `quantization` asks).
    public convenience init(componentFolder folder: URL, variant: String? = nil, precision: Precision = .float32,
                            quantization: Quantization = .none) throws {
        let configuration = try UNet2DConfiguration.read(from: folder.appendingPathComponent("config.json"))
        let store = try WeightStore(componentFolder: folder, variant: variant)
        try self.init(configuration: configuration, weights: ModelWeights(store, precision: precision,
                                                                          quantization: quantization))
    }
}

extension ModelWeights {
    /// The weights of a safetensors file or sharded set, for a model computing in `precision`, its layers
    /// quantized as `quantization` asks.
    public init(_ store: WeightStore, precision: Precision = .float32, quantization: Quantization = .none) {
        self.init(source: store.url.path, precision: precision, quantization: quantization) { name, dtype in
            store.contains(name) ? try store.tensor(named: name, as: dtype) : nil
        }
    }
}
