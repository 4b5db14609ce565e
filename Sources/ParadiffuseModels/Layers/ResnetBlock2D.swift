import ParadiffuseTensors

/// GroupNorm → SiLU → conv → (+ time embedding) → GroupNorm → SiLU → conv, plus a (projected) shortcut.
struct ResnetBlock2D {
    enum TimeConditioning: String { case add = "default", scaleShift = "scale_shift" }

    let norm1: GroupNorm
    let conv1: Convolution2D
    let timeProjection: Linear?
    let norm2: GroupNorm
    let conv2: Convolution2D
    let shortcut: Convolution2D?
    let conditioning: TimeConditioning
    let outputScale: Float

    init(_ weights: ModelWeights, input: Int, output: Int, timeEmbedding: Int?, groups: Int, epsilon: Float,
         conditioning: TimeConditioning, outputScaleFactor: Float) throws {
        norm1 = try GroupNorm(weights.scoped("norm1"), groups: groups, channels: input, epsilon: epsilon)
        conv1 = try Convolution2D(weights.scoped("conv1"), input: input, output: output, kernel: 3, padding: 1)
        timeProjection = try timeEmbedding.map {
            try Linear(weights.scoped("time_emb_proj").inFloat32, input: $0, output: conditioning == .add ? output : 2 * output)
        }
        norm2 = try GroupNorm(weights.scoped("norm2"), groups: groups, channels: output, epsilon: epsilon)
        conv2 = try Convolution2D(weights.scoped("conv2"), input: output, output: output, kernel: 3, padding: 1)
        shortcut = input == output ? nil
            : try Convolution2D(weights.scoped("conv_shortcut"), input: input, output: output, kernel: 1)
        self.conditioning = conditioning
        self.outputScale = 1 / outputScaleFactor
    }

    /// `activatedEmbedding` is SiLU(time embedding), float32 `[N, E]`, shared by every block of the network; its
    /// projection stays float32 into the group norm's statistics.
    func callAsFunction(_ input: Tensor, activatedEmbedding: Tensor?) -> Tensor {
        var hidden = conv1(norm1(input, silu: true))
        if let timeProjection, let activatedEmbedding {
            let projected = timeProjection(activatedEmbedding)
            switch conditioning {
            case .add:
                hidden = norm2(hidden, channelBias: projected, silu: true)
            case .scaleShift:
                let channels = conv1.outputChannels
                hidden = norm2(hidden, modulation: .init(scale: projected.splittingColumns(at: channels).first,
                                                         shift: projected.splittingColumns(at: channels).second),
                               silu: true)
            }
        } else {
            hidden = norm2(hidden, silu: true)
        }
        let residual = shortcut.map { $0(input) } ?? input
        return conv2(hidden, adding: residual, scale: outputScale)
    }
}

extension Tensor {
    /// A row-major `[N, A + B]` matrix split into `[N, A]` and `[N, B]`.
    func splittingColumns(at column: Int) -> (first: Tensor, second: Tensor) {
        let (rows, columns) = (shape[0], shape[1])
        let values = scalars
        var first = [Float](), second = [Float]()
        first.reserveCapacity(rows * column)
        second.reserveCapacity(rows * (columns - column))
        for row in 0..<rows {
            first += values[row * columns..<row * columns + column]
            second += values[row * columns + column..<(row + 1) * columns]
        }
        return (Tensor(shape: [rows, column], scalars: first), Tensor(shape: [rows, columns - column], scalars: second))
    }
}
