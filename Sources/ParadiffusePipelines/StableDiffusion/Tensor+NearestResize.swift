import ParadiffuseTensors

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
