/// What draws standard normal tensors: one PyTorch generator, or diffusers' list of generators, one per image.
public protocol NormalSource {
    /// Standard normal samples of `shape`, row-major.
    mutating func randn(_ shape: [Int]) -> Tensor
}

extension TorchGenerator: NormalSource {}
