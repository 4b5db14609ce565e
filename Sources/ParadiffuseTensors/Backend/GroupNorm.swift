import CKernels
import Foundation

/// Group normalization over channels-last activations, with optional fused extras:
/// a per-item channel bias added before normalizing (`norm(x + bias[n, c])`, as a ResNet block adds its time
/// embedding), a per-item modulation after it (`y · (1 + scale[n, c]) + shift[n, c]`), and SiLU.
public final class GroupNorm: Sendable {
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

    /// `input` channels-last `[N, C, H, W]`, float32 or bfloat16 (the output has its dtype; statistics are
    /// float32/double either way); `channelBias`, `modulation.scale/shift` are float32 `[N, C]`.
    public func callAsFunction(_ input: Tensor, channelBias: Tensor? = nil, modulation: Modulation? = nil,
                               silu: Bool = false) -> Tensor {
        let isa = CPUCapabilities.InstructionSet.current.kernelLevel
        precondition(input.layout == .channelsLast && input.rank == 4 && input.shape[1] == channels,
                     "group norm expects channels-last [N, \(channels), H, W], got \(input)")
        let (batch, pixels) = (input.shape[0], input.shape[2] * input.shape[3])
        for extra in [channelBias, modulation?.scale, modulation?.shift].compactMap({ $0 }) {
            precondition(extra.shape == [batch, channels], "group norm extras must be [\(batch), \(channels)]")
        }
        let output = Tensor(uninitializedShape: input.shape, dtype: input.dtype, layout: .channelsLast)
        var scale = [Float](repeating: 0, count: channels)
        var shift = [Float](repeating: 0, count: channels)
        let itemBytes = pixels * channels * input.dtype.byteSize
        for item in 0..<batch {
            let itemInput = input.unsafeRawPointer + item * itemBytes
            let itemBias = channelBias.map { Array(UnsafeBufferPointer(start: $0.floats + item * channels, count: channels)) }
            let (mean, inverseDeviation) = groupStatistics(itemInput, dtype: input.dtype, pixels: pixels, channelBias: itemBias,
                                                           isa: isa)
            let groupSize = channels / groups
            for channel in 0..<channels {
                let group = channel / groupSize
                var factor = weight.floats[channel] * inverseDeviation[group]
                // norm(x + b) = x·factor + (b − mean)·factor + bias: the channel bias folds into the shift.
                let added = itemBias?[channel] ?? 0
                var offset = bias.floats[channel] + Float(Double(added) - mean[group]) * factor
                if let modulation {
                    let gain = 1 + modulation.scale.floats[item * channels + channel]
                    factor *= gain
                    offset = offset * gain + modulation.shift.floats[item * channels + channel]
                }
                scale[channel] = factor
                shift[channel] = offset
            }
            let itemOutput = output.storage.bytes + item * itemBytes
            let rowBytes = channels * input.dtype.byteSize
            parallelRows(pixels) { range in
                let (source, target) = (itemInput + range.lowerBound * rowBytes, itemOutput + range.lowerBound * rowBytes)
                switch input.dtype {
                case .float32:
                    pd_channel_affine(isa, source.assumingMemoryBound(to: Float.self), target.assumingMemoryBound(to: Float.self),
                                      range.count, channels, scale, shift, silu ? 1 : 0)
                case .bfloat16:
                    pd_channel_affine_bf16(isa, source.assumingMemoryBound(to: UInt16.self),
                                           target.assumingMemoryBound(to: UInt16.self), range.count, channels, scale,
                                           shift, silu ? 1 : 0)
                }
            }
        }
        return output
    }

    /// Mean and 1/√(variance + ε) of each group of `x + channelBias`, from per-channel moments of `x`
    /// (Σ(x+b) = Σx + n·b, Σ(x+b)² = Σx² + 2b·Σx + n·b²), summed over chunks of pixels in a fixed order.
    private func groupStatistics(_ input: UnsafeRawPointer, dtype: DType, pixels: Int,
                                 channelBias: [Float]?, isa: pd_isa) -> (mean: [Double], inverseDeviation: [Float]) {
        // Chunks of the pixels fixed by the image size, not the thread count, so the sums' order (and result) is
        // the same on any number of threads.
        let chunks = min(64, max(1, pixels / 512))
        var sums = [[Double]](repeating: [Double](repeating: 0, count: channels), count: chunks)
        var squares = sums
        let perChunk = (pixels + chunks - 1) / chunks
        let rowBytes = channels * dtype.byteSize
        sums.withUnsafeMutableBufferPointer { sumBuffers in
            squares.withUnsafeMutableBufferPointer { squareBuffers in
                let sumsBase = sumBuffers.baseAddress!, squaresBase = squareBuffers.baseAddress!
                parallelTasks(chunks) { chunk in
                    let start = chunk * perChunk, end = min(pixels, start + perChunk)
                    guard start < end else { return }
                    sumsBase[chunk].withUnsafeMutableBufferPointer { sum in
                        squaresBase[chunk].withUnsafeMutableBufferPointer { square in
                            let rows = input + start * rowBytes
                            switch dtype {
                            case .float32:
                                pd_channel_moments(isa, rows.assumingMemoryBound(to: Float.self), end - start, channels,
                                                   sum.baseAddress!, square.baseAddress!)
                            case .bfloat16:
                                pd_channel_moments_bf16(isa, rows.assumingMemoryBound(to: UInt16.self), end - start, channels,
                                                        sum.baseAddress!, square.baseAddress!)
                            }
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
            for channel in group * groupSize..<(group + 1) * groupSize {
                var channelSum = 0.0, channelSquare = 0.0
                for chunk in 0..<chunks {
                    channelSum += sums[chunk][channel]
                    channelSquare += squares[chunk][channel]
                }
                if let channelBias {
                    let added = Double(channelBias[channel])
                    channelSquare += 2 * added * channelSum + Double(pixels) * added * added
                    channelSum += Double(pixels) * added
                }
                sum += channelSum
                square += channelSquare
            }
            let groupMean = sum / count
            let variance = max(0, square / count - groupMean * groupMean)
            mean[group] = groupMean
            inverseDeviation[group] = Float(1 / (variance + Double(epsilon)).squareRoot())
        }
        return (mean, inverseDeviation)
    }
}
