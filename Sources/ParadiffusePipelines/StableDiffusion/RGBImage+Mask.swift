import ParadiffuseTensors

extension RGBImage {
    /// The image as diffusers' inpainting mask processor gives it, `[1, 1, H, W]`: converted to gray as PIL's
    /// `convert("L")` does (`(19595 R + 38470 G + 7471 B + 2^15) >> 16`), scaled by 1/255, and binarized (0 below
    /// 0.5, else 1). 1 marks the pixels to repaint.
    public var maskInput: Tensor {
        let samples: [UInt8] = channels == 1 ? pixels : (0..<width * height).map { pixel in
            let (red, green, blue) = (UInt32(pixels[3 * pixel]), UInt32(pixels[3 * pixel + 1]), UInt32(pixels[3 * pixel + 2]))
            return UInt8((19595 * red + 38470 * green + 7471 * blue + 0x8000) >> 16)
        }
        return Tensor(shape: [1, 1, height, width], scalars: samples.map { Float($0) / 255 < 0.5 ? 0 : 1 })
    }
}

extension Tensor {
    /// Row-major `[N, C, H, W]` resized to `height`x`width` by nearest neighbour, as `torch.nn.functional.interpolate`'s
    /// default: output pixel `d` takes input pixel `min(⌊d · (in / out)⌋, in − 1)`, the scale in float32.
    func nearestResized(height: Int, width: Int) -> Tensor {
        let source = toRowMajor()
        let (batch, channels, inputHeight, inputWidth) = (shape[0], shape[1], shape[2], shape[3])
        func sourceIndex(_ index: Int, input: Int, output: Int) -> Int {
            min(Int((Float(index) * (Float(input) / Float(output))).rounded(.down)), input - 1)
        }
        let rows = (0..<height).map { sourceIndex($0, input: inputHeight, output: height) }
        let columns = (0..<width).map { sourceIndex($0, input: inputWidth, output: width) }
        let values = source.scalars
        var result = [Float]()
        result.reserveCapacity(batch * channels * height * width)
        for plane in 0..<batch * channels {
            for row in rows {
                for column in columns { result.append(values[(plane * inputHeight + row) * inputWidth + column]) }
            }
        }
        return Tensor(shape: [batch, channels, height, width], scalars: result)
    }
}
