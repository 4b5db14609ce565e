import ParadiffuseTensors

/// Halves height and width with a stride-2 3x3 convolution (`padding` 0 pads only bottom and right, as diffusers does).
struct Downsample2D {
    let convolution: Convolution2D

    init(_ weights: ModelWeights, channels: Int, padding: Int) throws {
        convolution = try Convolution2D(weights.scoped("conv"), input: channels, output: channels, kernel: 3, stride: 2,
                                        paddingBefore: padding, paddingAfter: padding == 0 ? 1 : padding)
    }

    func callAsFunction(_ input: Tensor) -> Tensor { convolution(input) }
}

/// Doubles height and width (nearest neighbour), then a 3x3 convolution.
struct Upsample2D {
    let convolution: Convolution2D

    init(_ weights: ModelWeights, channels: Int) throws {
        convolution = try Convolution2D(weights.scoped("conv"), input: channels, output: channels, kernel: 3, padding: 1)
    }

    /// Doubles the size, or resizes to `size` (diffusers' `upsample_size`, for inputs whose sides were odd).
    func callAsFunction(_ input: Tensor, size: (height: Int, width: Int)? = nil) -> Tensor {
        guard let size, size != (2 * input.shape[2], 2 * input.shape[3]) else {
            return convolution(input.upsampledNearest2x())
        }
        return convolution(input.resizedNearest(height: size.height, width: size.width))
    }
}
