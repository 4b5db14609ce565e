import Foundation
import ParadiffuseLoading
import ParadiffuseTensors

extension CLIPTextModel {
    /// Loads a transformers CLIPTextModel component folder (`text_encoder/`: `config.json` and
    /// `model[.variant].safetensors`, single or sharded) to compute in `precision` (with layers quantized as `quantization` asks).
    public convenience init(componentFolder folder: URL, variant: String? = nil, precision: Precision = .float32,
                            quantization: Quantization = .none) throws {
        let configuration = try CLIPTextConfiguration.read(from: folder.appendingPathComponent("config.json"))
        let store = try WeightStore(componentFolder: folder, variant: variant)
        try self.init(configuration: configuration, weights: ModelWeights(store, precision: precision,
                                                                          quantization: quantization))
    }
}
