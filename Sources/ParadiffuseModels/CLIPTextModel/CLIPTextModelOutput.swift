import ParadiffuseTensors

/// What `CLIPTextModel` returns for a batch of token sequences `[N][L]`, as transformers'
/// `BaseModelOutputWithPooling` with `output_hidden_states=True`.
public struct CLIPTextModelOutput {
    /// `[N, L, hidden]`: the last layer's output after `final_layer_norm` (Stable Diffusion's prompt embeddings).
    public let lastHiddenState: Tensor
    /// `num_hidden_layers + 1` tensors `[N, L, hidden]`: the embeddings, then each layer's output; the last one is
    /// before `final_layer_norm`.
    public let hiddenStates: [Tensor]
    /// `[N, hidden]`: each sequence's end-of-sequence row of `lastHiddenState`.
    public let pooledOutput: Tensor
}
