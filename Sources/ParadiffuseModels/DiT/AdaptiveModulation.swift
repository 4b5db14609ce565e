import ParadiffuseTensors

extension Tensor {
    /// A row-major float32 `[N, k·C]` matrix cut into `k` matrices `[N, C]` (torch's `chunk(k, dim=1)`): adaLN-Zero's
    /// shifts, scales and gates, one row per item.
    func chunkedColumns(_ count: Int) -> [Tensor] {
        let (rows, columns) = (shape[0], shape[1])
        let width = columns / count
        let values = scalars
        return (0..<count).map { chunk in
            var chunkValues: [Float] = []
            chunkValues.reserveCapacity(rows * width)
            for row in 0..<rows {
                let start = row * columns + chunk * width
                chunkValues += values[start..<start + width]
            }
            return Tensor(shape: [rows, width], scalars: chunkValues)
        }
    }
}
