/// diffusers' `generator` argument for a batch of images: one `torch.Generator` that draws every tensor whole, or a
/// list with one generator per image (seeds `seed`, `seed + 1`, …), from which `randn_tensor` draws item `i` of
/// every batch with generator `i`, so that image `i` can be made again alone with seed `seed + i`.
public struct BatchGenerator: NormalSource, Sendable {
    private var generators: [TorchGenerator]
    /// Whether each image has its own generator.
    public let perImage: Bool

    /// One generator seeded `seed` for the whole batch (`generator=torch.Generator().manual_seed(seed)`) when
    /// `images` is nil; otherwise one per image, image `i` seeded `seed + i` (wrapping past 2⁶⁴ − 1), as
    /// `generator=[torch.Generator().manual_seed(seed + i) for i in range(images)]`.
    public init(seed: UInt64, perImage images: Int? = nil) {
        generators = images.map { count in
            (0..<max(count, 1)).map { TorchGenerator(seed: Self.seed(seed, image: $0)) }
        } ?? [TorchGenerator(seed: seed)]
        perImage = images != nil
    }

    /// The seed of image `image` when images have their own seeds.
    public static func seed(_ seed: UInt64, image: Int) -> UInt64 { seed &+ UInt64(max(image, 0)) }

    /// One draw of `shape`: whole, or with per-image generators item `i` from generator `i` (modulo their count:
    /// diffusers accepts only batches of one item per generator).
    public mutating func randn(_ shape: [Int]) -> Tensor {
        guard perImage, let batch = shape.first, batch > 0 else { return generators[0].randn(shape) }
        let itemShape = [1] + shape.dropFirst()
        return Tensor.concatenatingBatches((0..<batch).map { generators[$0 % generators.count].randn(itemShape) })
    }
}
