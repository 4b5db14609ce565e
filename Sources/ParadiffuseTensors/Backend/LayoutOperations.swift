import CDNNL
import CKernels
import Foundation

/// Layout changes, upsampling and channel concatenation for channels-last activations.
extension Tensor {
    /// The same values stored channels-last (NHWC), or self if already so.
    public func toChannelsLast() -> Tensor {
        if layout == .channelsLast { return self }
        precondition(rank == 4, "channels-last needs a 4-D tensor, got \(self)")
        let target = MemoryDescriptor(shape: shape, dtype: dtype, tag: dnnl_nhwc)
        return Tensor(shape: shape, dtype: dtype, layout: .channelsLast,
                      storage: reordered(unsafeRawPointer, from: MemoryDescriptor(self), to: target))
    }

    /// The same values stored row-major (NCHW), or self if already so.
    public func toRowMajor() -> Tensor {
        if layout == .rowMajor { return self }
        let target = MemoryDescriptor(shape: shape, dtype: dtype, strides: MemoryDescriptor.rowMajorStrides(shape))
        return Tensor(shape: shape, dtype: dtype, layout: .rowMajor,
                      storage: reordered(unsafeRawPointer, from: MemoryDescriptor(self), to: target))
    }

    /// Channels-last `[N, C, H, W]` seen as row-major `[N, H·W, C]` tokens, without copying.
    public func channelsLastAsTokens() -> Tensor {
        precondition(layout == .channelsLast, "tokens view needs channels-last, got \(self)")
        return Tensor(shape: [shape[0], shape[2] * shape[3], shape[1]], dtype: dtype, layout: .rowMajor, storage: storage)
    }

    /// Row-major tokens `[N, H·W, C]` seen as channels-last `[N, C, H, W]`, without copying.
    public func tokensAsChannelsLast(height: Int, width: Int) -> Tensor {
        precondition(layout == .rowMajor && rank == 3 && shape[1] == height * width, "tokens \(self) are not \(height)x\(width)")
        return Tensor(shape: [shape[0], shape[2], height, width], dtype: dtype, layout: .channelsLast, storage: storage)
    }

    /// Nearest-neighbour 2x upsampling of a channels-last tensor.
    public func upsampledNearest2x() -> Tensor {
        precondition(layout == .channelsLast, "upsampling expects channels-last, got \(self)")
        let (batch, channels, height, width) = (shape[0], shape[1], shape[2], shape[3])
        let output = Tensor(uninitializedShape: [batch, channels, 2 * height, 2 * width], dtype: dtype,
                            layout: .channelsLast)
        let itemBytes = height * width * channels * dtype.byteSize
        parallelTasks(batch) { item in
            pd_upsample_nearest2x_nhwc(unsafeRawPointer + item * itemBytes, output.storage.bytes + 4 * item * itemBytes,
                                       height, width, channels, dtype.byteSize)
        }
        return output
    }

    /// Nearest-neighbour resize of a channels-last tensor to `height` x `width` (PyTorch's `nearest` mode).
    public func resizedNearest(height outHeight: Int, width outWidth: Int) -> Tensor {
        precondition(layout == .channelsLast, "resizing expects channels-last, got \(self)")
        let (batch, channels, height, width) = (shape[0], shape[1], shape[2], shape[3])
        let output = Tensor(uninitializedShape: [batch, channels, outHeight, outWidth], dtype: dtype,
                            layout: .channelsLast)
        for item in 0..<batch {
            pd_resize_nearest_nhwc(unsafeRawPointer + item * height * width * channels * dtype.byteSize,
                                   output.storage.bytes + item * outHeight * outWidth * channels * dtype.byteSize,
                                   height, width, outHeight, outWidth, channels, dtype.byteSize)
        }
        return output
    }

    /// `[self, other]` joined along channels; both channels-last with equal N, H, W.
    public func concatenatingChannels(_ other: Tensor) -> Tensor {
        precondition(layout == .channelsLast && other.layout == .channelsLast && dtype == other.dtype,
                     "channel concat expects channels-last tensors of one dtype, got \(self) and \(other)")
        precondition(shape[0] == other.shape[0] && shape[2...] == other.shape[2...],
                     "cannot concatenate channels of \(self) and \(other)")
        let output = Tensor(uninitializedShape: [shape[0], shape[1] + other.shape[1], shape[2], shape[3]],
                            dtype: dtype, layout: .channelsLast)
        pd_concat_channels_nhwc(unsafeRawPointer, other.unsafeRawPointer, output.storage.bytes,
                                shape[0] * shape[2] * shape[3], shape[1], other.shape[1], dtype.byteSize)
        return output
    }

    /// x · sigmoid(x), elementwise.
    public func silu() -> Tensor {
        map { $0 / (1 + exp(-$0)) }
    }
}
