import ParadiffuseTensors

/// diffusers' `CombinedTimestepLabelEmbeddings`: the sinusoidal projection of the timestep (256 channels, cos first,
/// frequency shift 1) through a linear-SiLU-linear MLP, plus a learned embedding of the class label. The class
/// table has a row per class and one more, the null class that classifier-free guidance conditions on.
struct TimestepLabelEmbedding {
    static let projectionWidth = 256

    let timestepEmbedding: TimestepEmbedding
    /// `[classes + 1, width]`.
    let classTable: Tensor

    init(_ weights: ModelWeights, width: Int, classCount: Int) throws {
        timestepEmbedding = try TimestepEmbedding(weights.scoped("timestep_embedder"), input: Self.projectionWidth,
                                                  output: width)
        classTable = try weights.scoped("class_embedder.embedding_table").tensor("weight", shape: [classCount + 1, width])
    }

    /// `[N, width]` for one timestep and one class per item.
    func callAsFunction(timesteps: [Float], classLabels: [Int]) -> Tensor {
        let projection = sinusoidalTimestepEmbedding(timesteps, dimension: Self.projectionWidth, flipSinToCos: true,
                                                     frequencyShift: 1)
        let width = classTable.shape[1]
        let classes = classTable.withUnsafeBufferPointer { rows in
            Tensor(shape: [classLabels.count, width], scalars: classLabels.flatMap { rows[$0 * width..<($0 + 1) * width] })
        }
        return timestepEmbedding(projection) + classes
    }
}
