import ParadiffuseLoading
import ParadiffuseTensors

extension ModelWeights {
    /// The weights of a safetensors file or sharded set, for a model computing in `precision`, its layers
    /// quantized as `quantization` asks.
    public init(_ store: WeightStore, precision: Precision = .float32, quantization: Quantization = .none) {
        self.init(source: store.url.path, precision: precision, quantization: quantization) { name, dtype in
            store.contains(name) ? try store.tensor(named: name, as: dtype) : nil
        }
    }
}
