import ParadiffuseTensors

/// One point of the trajectory — the latents of every image at one timestep — in double precision, where ParaTAA
/// keeps its iterates and solves its least squares (the reference does both in float64). Every tensor layout keeps
/// each image contiguous, so image `i` is the `i`-th slice of `values`.
struct LatentVector {
    private(set) var values: [Double]
    let imageCount: Int

    init(_ tensor: Tensor) {
        values = tensor.withUnsafeBufferPointer { $0.map(Double.init) }
        imageCount = tensor.batchSize
    }

    private init(values: [Double], imageCount: Int) {
        self.values = values
        self.imageCount = imageCount
    }

    var imageLength: Int { values.count / imageCount }

    /// The float32 tensor of these values, laid out as `shape` and `layout` say.
    func tensor(shape: [Int], layout: Layout) -> Tensor {
        var result = Tensor(uninitializedShape: shape, layout: layout)
        result.withUnsafeMutableBufferPointer { target in
            for index in values.indices { target[index] = Float(values[index]) }
        }
        return result
    }

    static func + (left: LatentVector, right: LatentVector) -> LatentVector {
        LatentVector(values: zip(left.values, right.values).map { $0 + $1 }, imageCount: left.imageCount)
    }

    static func - (left: LatentVector, right: LatentVector) -> LatentVector {
        LatentVector(values: zip(left.values, right.values).map { $0 - $1 }, imageCount: left.imageCount)
    }

    func dot(_ other: LatentVector, image: Int) -> Double {
        let range = imageRange(image)
        return values.withUnsafeBufferPointer { left in
            other.values.withUnsafeBufferPointer { right in
                var sum = 0.0
                for index in range { sum += left[index] * right[index] }
                return sum
            }
        }
    }

    /// `√(mean of squares)` over one image.
    func rootMeanSquare(image: Int) -> Double {
        (dot(self, image: image) / Double(imageLength)).squareRoot()
    }

    /// `self[image] += scale · other[image]`.
    mutating func add(_ other: LatentVector, scaledBy scale: Double, image: Int) {
        let range = imageRange(image)
        values.withUnsafeMutableBufferPointer { target in
            other.values.withUnsafeBufferPointer { source in
                for index in range { target[index] += scale * source[index] }
            }
        }
    }

    static func zeros(like other: LatentVector) -> LatentVector {
        LatentVector(values: Array(repeating: 0, count: other.values.count), imageCount: other.imageCount)
    }

    private func imageRange(_ image: Int) -> Range<Int> {
        image * imageLength..<(image + 1) * imageLength
    }
}
