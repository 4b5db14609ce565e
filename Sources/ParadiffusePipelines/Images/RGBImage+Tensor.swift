import ParadiffuseTensors

extension RGBImage {
    /// The range of the float samples an image tensor holds.
    public enum SampleRange: Sendable {
        /// What diffusion models and VAEs produce; mapped to [0, 1] by `x / 2 + 0.5` as diffusers does.
        case minusOneToOne
        case zeroToOne
    }

    /// The image held by a float32 tensor of shape [C, H, W] or [1, C, H, W] with 1 (gray) or 3 (RGB) channels.
    /// Samples are converted as diffusers' postprocessing and `numpy_to_pil` do; see `byte(_:range:)`.
    public init(tensor: Tensor, range: SampleRange = .minusOneToOne) throws {
        guard (3...4).contains(tensor.rank), [1, 3].contains(tensor.shape[tensor.rank - 3]) else {
            throw ImageError.unsupportedTensorShape(tensor.shape)
        }
        switch tensor.rank {
        case 3: self = try Self.images(fromBatch: tensor.reshaped([1] + tensor.shape), range: range)[0]
        case 4 where tensor.shape[0] == 1: self = try Self.images(fromBatch: tensor, range: range)[0]
        default: throw ImageError.unsupportedTensorShape(tensor.shape)
        }
    }

    /// One image per item of a float32 [N, C, H, W] tensor (row-major or channels-last) with C 1 or 3.
    public static func images(fromBatch tensor: Tensor, range: SampleRange = .minusOneToOne) throws -> [RGBImage] {
        guard tensor.rank == 4, tensor.shape[1] == 1 || tensor.shape[1] == 3 else {
            throw ImageError.unsupportedTensorShape(tensor.shape)
        }
        guard tensor.dtype == .float32 else { throw ImageError.unsupportedTensorDType(tensor.dtype.rawValue) }
        let (batch, channels, height, width) = (tensor.shape[0], tensor.shape[1], tensor.shape[2], tensor.shape[3])
        let itemCount = channels * height * width
        return tensor.withUnsafeBufferPointer { samples in
            (0..<batch).map { item in
                var pixels = [UInt8](repeating: 0, count: itemCount)
                let itemStart = item * itemCount
                switch tensor.layout {
                case .channelsLast:
                    for index in 0..<itemCount { pixels[index] = byte(samples[itemStart + index], range: range) }
                case .rowMajor:
                    for channel in 0..<channels {
                        for pixel in 0..<height * width {
                            pixels[pixel * channels + channel] =
                                byte(samples[itemStart + channel * height * width + pixel], range: range)
                        }
                    }
                }
                return RGBImage(width: width, height: height, channels: channels, pixels: pixels)
            }
        }
    }

    /// One sample as diffusers turns it into a byte: `(x / 2 + 0.5).clamp(0, 1)` for [-1, 1] samples, then
    /// `(x * 255).round()` in float32, which rounds halves to even (NumPy's rule). Values outside the range are
    /// clamped and NaN becomes 0.
    static func byte(_ sample: Float, range: SampleRange) -> UInt8 {
        let unit = switch range {
        case .minusOneToOne: sample / 2 + 0.5
        case .zeroToOne: sample
        }
        guard !unit.isNaN else { return 0 }
        return UInt8((min(max(unit, 0), 1) * 255).rounded(.toNearestOrEven))
    }
}
