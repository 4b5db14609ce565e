import Foundation
import ParadiffuseTensors
import Synchronization

/// diffusers' `AutoencoderKL`, the Stable Diffusion VAE: encodes images to a latent distribution and decodes
/// latents back to images. Images and latents are `[N, C, H, W]`; results are row-major.
///
/// Latents are decoded as given: pipelines divide by `configuration.scalingFactor` (and add
/// `configuration.shiftFactor` when set) before `decode`, as diffusers' pipelines do.
public final class AutoencoderKL: ComponentModel, Sendable {
    /// diffusers' tiling options (`tile_sample_min_size`, `tile_latent_min_size`, `tile_overlap_factor`).
    public struct Tiling: Sendable, Equatable {
        /// Images larger than this in height or width are encoded in tiles of this size, and decoded tiles have it.
        public var sampleTileSize: Int
        /// Latents larger than this in height or width are decoded in tiles of this size, and encoded tiles have it.
        public var latentTileSize: Int
        /// The fraction of a tile that overlaps its neighbour and is blended with it.
        public var overlapFactor: Double

        public init(sampleTileSize: Int, latentTileSize: Int, overlapFactor: Double = 0.25) {
            self.sampleTileSize = sampleTileSize
            self.latentTileSize = latentTileSize
            self.overlapFactor = overlapFactor
        }

        /// The sizes diffusers' `enable_tiling()` uses: `sample_size`, and `sample_size` over the downsampling factor.
        public init(configuration: AutoencoderKLConfiguration) {
            self.init(sampleTileSize: configuration.sampleSize,
                      latentTileSize: Int(Double(configuration.sampleSize) / Double(configuration.downsamplingFactor)))
        }

        var encoding: OverlappingTiles {
            OverlappingTiles(inputTileSize: sampleTileSize, outputTileSize: latentTileSize, overlapFactor: overlapFactor)
        }

        var decoding: OverlappingTiles {
            OverlappingTiles(inputTileSize: latentTileSize, outputTileSize: sampleTileSize, overlapFactor: overlapFactor)
        }
    }

    public let configuration: AutoencoderKLConfiguration
    /// Images, latents and moments are float32; inside, activations between layers have this precision's dtype.
    public let precision: Precision
    /// Encode and decode one image of a batch at a time, to bound memory (diffusers' `enable_slicing()`).
    public var slicing: Bool {
        get { memoryOptions.withLock { $0.slicing } }
        set { memoryOptions.withLock { $0.slicing = newValue } }
    }
    /// Encode and decode large images tile by tile, to bound memory (diffusers' `enable_tiling()`); nil runs
    /// whole images. Tiled results differ from whole-image ones near the tile seams, exactly as diffusers' do.
    public var tiling: Tiling? {
        get { memoryOptions.withLock { $0.tiling } }
        set { memoryOptions.withLock { $0.tiling = newValue } }
    }
    private let memoryOptions = Mutex<(slicing: Bool, tiling: Tiling?)>((slicing: false, tiling: nil))

    private let encoder: VAEEncoder
    private let quantConv: Convolution2D?
    private let postQuantConv: Convolution2D?
    private let decoder: VAEDecoder

    public init(configuration: AutoencoderKLConfiguration, weights: ModelWeights) throws {
        try configuration.validate(file: "AutoencoderKL configuration")
        self.configuration = configuration
        precision = weights.precision
        let moments = 2 * configuration.latentChannels, latents = configuration.latentChannels
        encoder = try VAEEncoder(weights.scoped("encoder"), configuration: configuration)
        quantConv = configuration.useQuantConv
            ? try Convolution2D(weights.scoped("quant_conv"), input: moments, output: moments, kernel: 1) : nil
        postQuantConv = configuration.usePostQuantConv
            ? try Convolution2D(weights.scoped("post_quant_conv"), input: latents, output: latents, kernel: 1) : nil
        decoder = try VAEDecoder(weights.scoped("decoder"), configuration: configuration)
    }

    /// The latent distribution of images `[N, inChannels, H, W]`, H and W multiples of the downsampling factor.
    public func encode(_ images: Tensor) throws -> DiagonalGaussianDistribution {
        try validate(images, parameter: "images", channels: configuration.inChannels,
                     sizeMultiple: configuration.downsamplingFactor)
        let tiles = try encodingTiles(height: images.shape[2], width: images.shape[3])
        let moments = slicesOf(images.toRowMajor()) { tiles?.apply(to: $0, encodedMoments) ?? encodedMoments($0) }
        return try DiagonalGaussianDistribution(parameters: moments)
    }

    /// Images `[N, outChannels, H·f, W·f]` decoded from latents `[N, latentChannels, H, W]`.
    public func decode(_ latents: Tensor) throws -> Tensor {
        try validate(latents, parameter: "latents", channels: configuration.latentChannels, sizeMultiple: 1)
        let tiles = try decodingTiles(height: latents.shape[2], width: latents.shape[3])
        return slicesOf(latents.toRowMajor()) { tiles?.apply(to: $0, decodedImages) ?? decodedImages($0) }
    }

    /// Row-major images to row-major moments.
    private func encodedMoments(_ images: Tensor) -> Tensor {
        let encoded = encoder(images.toChannelsLast().converted(to: precision.dtype))
        return (quantConv.map { $0(encoded) } ?? encoded).converted(to: .float32).toRowMajor()
    }

    /// Row-major latents to row-major images.
    private func decodedImages(_ latents: Tensor) -> Tensor {
        let input = latents.toChannelsLast().converted(to: precision.dtype)
        return decoder(postQuantConv.map { $0(input) } ?? input).converted(to: .float32).toRowMajor()
    }

    /// `body` over the whole batch, or item by item when slicing.
    private func slicesOf(_ batch: Tensor, _ body: (Tensor) -> Tensor) -> Tensor {
        guard slicing, batch.batchSize > 1 else { return body(batch) }
        return Tensor.concatenatingBatches((0..<batch.batchSize).map { body(batch.batchItem($0)) })
    }

    private func validate(_ input: Tensor, parameter: String, channels: Int, sizeMultiple: Int) throws {
        guard input.rank == 4, input.shape[1] == channels, input.shape[0] > 0 else {
            throw ModelError.invalidInput(parameter: parameter, reason: "shape \(input.shape) is not [N, \(channels), H, W]")
        }
        let (height, width) = (input.shape[2], input.shape[3])
        guard height > 0, width > 0 else {
            throw ModelError.invalidInput(parameter: parameter, reason: "height and width \(height)x\(width) must be positive")
        }
        guard height % sizeMultiple == 0, width % sizeMultiple == 0 else {
            throw ModelError.invalidInput(parameter: parameter, reason:
                "height and width \(height)x\(width) must be multiples of \(sizeMultiple), the VAE's downsampling factor")
        }
    }

    /// The tiles of an image of `height`x`width` when tiling is on and the image exceeds a tile, as diffusers'
    /// `_encode` decides. Every edge tile must survive the encoder's downsampling, where diffusers fails inside PyTorch.
    private func encodingTiles(height: Int, width: Int) throws -> OverlappingTiles? {
        guard let tiling, max(height, width) > tiling.sampleTileSize else { return nil }
        let tiles = tiling.encoding
        try validate(tiles, of: tiling)
        let sides = tiles.tiles(along: height).map(\.count) + tiles.tiles(along: width).map(\.count)
        if let side = sides.first(where: { !survivesDownsampling($0) }) {
            throw ModelError.invalidInput(parameter: "tiling", reason:
                "an image of \(height)x\(width) in tiles of \(tiling.sampleTileSize) leaves an edge tile side of \(side), "
                + "too small for \(configuration.blockOutChannels.count - 1) downsamplings")
        }
        return tiles
    }

    /// The tiles of latents of `height`x`width` when tiling is on and they exceed a tile, as diffusers' `_decode` decides.
    private func decodingTiles(height: Int, width: Int) throws -> OverlappingTiles? {
        guard let tiling, max(height, width) > tiling.latentTileSize else { return nil }
        try validate(tiling.decoding, of: tiling)
        return tiling.decoding
    }

    private func validate(_ tiles: OverlappingTiles, of tiling: Tiling) throws {
        func fail(_ reason: String) -> ModelError { .invalidInput(parameter: "tiling", reason: reason) }
        guard tiling.sampleTileSize > 0, tiling.latentTileSize > 0 else {
            throw fail("tile sizes \(tiling.sampleTileSize) (sample) and \(tiling.latentTileSize) (latent) must be positive")
        }
        guard (0..<1).contains(tiling.overlapFactor), tiles.stride > 0 else {
            throw fail("overlap factor \(tiling.overlapFactor) must be in [0, 1) and leave room between tiles of "
                + "\(tiles.inputTileSize)")
        }
    }

    /// Whether each stride-2 downsampling (bottom/right pad 1, kernel 3) of a side of `size` keeps at least a pixel.
    private func survivesDownsampling(_ size: Int) -> Bool {
        var size = size
        for _ in 1..<configuration.blockOutChannels.count {
            guard size >= 2 else { return false }
            size = (size - 2) / 2 + 1
        }
        return true
    }
}
