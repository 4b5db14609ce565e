import Foundation
import ParadiffuseLoading
import ParadiffuseTensors

extension AutoencoderKL {
    /// Loads an AutoencoderKL component folder (`config.json` + `diffusion_pytorch_model[.variant].safetensors`,
    /// single or sharded) to compute in `precision` (with layers quantized as `quantization` asks), such as a Stable
    /// Diffusion pipeline's `vae/`.
    public convenience init(componentFolder folder: URL, variant: String? = nil, precision: Precision = .float32,
                            quantization: Quantization = .none) throws {
        let configuration = try AutoencoderKLConfiguration.read(from: folder.appendingPathComponent("config.json"))
        let store = try WeightStore(componentFolder: folder, variant: variant)
        try self.init(configuration: configuration, weights: ModelWeights(store, precision: precision,
                                                                          quantization: quantization))
    }
}
