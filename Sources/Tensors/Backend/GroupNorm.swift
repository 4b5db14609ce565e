import CKernels
import Foundation

/// Group normalization over channels-last activations, with optional fused extras:
/// a per-item channel bias added before normalizing (`norm(x + bias[n, c])`, as a ResNet block adds its time
/// embedding), a per-item modulation after it (`y · (1 + scale[n, c]) + shift[n, c]`), and SiLU.
public final class GroupNorm {
    public let groups: Int
    public let weight: Tensor
    public let bias: Tensor
    public let epsilon: Float
    public var channels: Int { weight.count }

    public init(groups: Int, weight: Tensor, bias: Tensor, epsilon: Float) {
        precondition(weight.rank == 1 && bias.shape == weight.shape, "group norm affine must be [C]")
        precondition(weight.count % groups == 0, "\(weight.count) channels do not split into \(groups) groups")
        self.groups = groups
        self.weight = weight
        self.bias = bias
        self.epsilon = epsilon
    }

    public struct Modulation {
        public let scale: Tensor
        public let shift: Tensor
        public init(scale: Tensor, shift: Tensor) {
            self.scale = scale
            self.shift = shift
        }
    }

    /// `input` channels-last `[N, C, H, W]`; `channelBias`, `modulation.scale/shift` are `[N, C]`.
    public func callAsFunction(_ input: Tensor, channelBias: Tensor? = nil, modulation: Modulation? = nil,
                               silu: Bool = false) -> Tensor {
        precondition(input.layout == .channelsLast && input.rank == 4 && input.shape[1] == channels,
                     "group norm expects channels-last [N, \(channels), H, W], got \(input)")
        let (batch, pixels) = (input.shape[0], input.shape[2] * input.shape[3])
        for extra in [channelBias, modulation?.scale, modulation?.shift].compactMap({ $0 }) {
            precondition(extra.shape == [batch, channels], "group norm extras must be [\(batch), \(channels)]")
        }
        var source = input
        if let channelBias {
            source = Tensor(uninitializedShape: input.shape, layout: .channelsLast)
            for item in 0..<batch {
                pd_add_channel_bias(input.floats + item * pixels * channels,
                                    source.mutableFloats + item * pixels * channels, pixels, channels,
                                    channelBias.floats + item * channels)
            }
        }
        let output = Tensor(uninitializedShape: input.shape, layout: .channelsLast)
        var scale = [Float](repeating: 0, count: channels)
        var shift = [Float](repeating: 0, count: channels)
        for item in 0..<batch {
            let itemInput = source.floats + item * pixels * channels
            let (mean, inverseDeviation) = groupStatistics(itemInput, pixels: pixels)
            let groupSize = channels / groups
            for channel in 0..<channels {
                let group = channel / groupSize
                var factor = weight.floats[channel] * inverseDeviation[group]
                var offset = bias.floats[channel] - Float(mean[group]) * factor
                if let modulation {
                    let gain = 1 + modulation.scale.floats[item * channels + channel]
                    factor *= gain
                    offset = offset * gain + modulation.shift.floats[item * channels + channel]
                }
                scale[channel] = factor
                shift[channel] = offset
            }
            let itemOutput = output.mutableFloats + item * pixels * channels
            parallelRows(pixels) { range in
                pd_channel_affine(itemInput + range.lowerBound * channels, itemOutput + range.lowerBound * channels,
                                  range.count, channels, scale, shift, silu ? 1 : 0)
            }
        }
        return output
    }

    private func groupStatistics(_ input: UnsafePointer<Float>, pixels: Int) -> (mean: [Double], inverseDeviation: [Float]) {
        let chunks = min(ProcessInfo.processInfo.activeProcessorCount, max(1, pixels / 64))
        var sums = [[Double]](repeating: [Double](repeating: 0, count: channels), count: chunks)
        var squares = sums
        let perChunk = (pixels + chunks - 1) / chunks
        sums.withUnsafeMutableBufferPointer { sumBuffers in
            squares.withUnsafeMutableBufferPointer { squareBuffers in
                let sumsBase = sumBuffers.baseAddress!, squaresBase = squareBuffers.baseAddress!
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    let start = chunk * perChunk, end = min(pixels, start + perChunk)
                    guard start < end else { return }
                    sumsBase[chunk].withUnsafeMutableBufferPointer { sum in
                        squaresBase[chunk].withUnsafeMutableBufferPointer { square in
                            pd_channel_moments(input + start * channels, end - start, channels,
                                               sum.baseAddress!, square.baseAddress!)
                        }
                    }
                }
            }
        }
        let groupSize = channels / groups
        let count = Double(pixels * groupSize)
        var mean = [Double](repeating: 0, count: groups)
        var inverseDeviation = [Float](repeating: 0, count: groups)
        for group in 0..<groups {
            var sum = 0.0, square = 0.0
            for chunk in 0..<chunks {
                for channel in group * groupSize..<(group + 1) * groupSize {
                    sum += sums[chunk][channel]
                    square += squares[chunk][channel]
                }
            }
            let groupMean = sum / count
            let variance = max(0, square / count - groupMean * groupMean)
            mean[group] = groupMean
            inverseDeviation[group] = Float(1 / (variance + Double(epsilon)).squareRoot())
        }
        return (mean, inverseDeviation)
    }
}

/// Splits `rows` into one contiguous range per core and runs `body` on each concurrently.
func parallelRows(_ rows: Int, minimumRowsPerTask: Int = 64, _ body: (Range<Int>) -> Void) {
    let tasks = min(ProcessInfo.processInfo.activeProcessorCount, max(1, rows / minimumRowsPerTask))
    if tasks == 1 { return body(0..<rows) }
    let perTask = (rows + tasks - 1) / tasks
    DispatchQueue.concurrentPerform(iterations: tasks) { task in
        let start = task * perTask
        if start < rows { body(start..<min(rows, start + perTask)) }
    }
}
