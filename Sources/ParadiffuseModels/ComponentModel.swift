import Foundation
import ParadiffuseLoading
import ParadiffuseTensors

/// A model that a diffusers or transformers component folder holds: `config.json`, read as its configuration, and
/// the weights (`diffusion_pytorch_model[.variant].safetensors` or `model[.variant].safetensors`, single or sharded).
public protocol ComponentModel {
    associatedtype Configuration: ComponentConfiguration

    init(configuration: Configuration, weights: ModelWeights) throws
}

extension ComponentModel {
    /// Loads a component folder, such as a Stable Diffusion pipeline's `unet/`, `vae/` or `text_encoder/`, to compute
    /// in `precision` (with layers quantized as `quantization` asks).
    public init(componentFolder folder: URL, variant: String? = nil, precision: Precision = .float32,
                quantization: Quantization = .none) throws {
        let configuration = try Configuration.read(from: folder.appendingPathComponent("config.json"))
        let store = try WeightStore(componentFolder: folder, variant: variant)
        try self.init(configuration: configuration, weights: ModelWeights(store, precision: precision,
                                                                          quantization: quantization))
    }
}
