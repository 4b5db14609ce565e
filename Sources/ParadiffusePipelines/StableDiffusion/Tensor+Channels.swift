import ParadiffuseModels
import ParadiffuseTensors

extension Tensor {
    /// Row-major `[N, C_k, H, W]` tensors joined along the channel dimension, as `torch.cat(parts, dim=1)`.
    static func concatenatingChannels(_ parts: [Tensor]) throws -> Tensor {
        let rowMajor = parts.map { $0.toRowMajor() }
        guard let first = rowMajor.first, rowMajor.allSatisfy({
            $0.rank == 4 && $0.shape[0] == first.shape[0] && $0.shape[2...] == first.shape[2...]
        }) else {
            throw ModelError.invalidInput(parameter: "channels", reason:
                "cannot join shapes \(parts.map(\.shape)) along the channels: batch, height and width differ")
        }
        let batch = first.shape[0], plane = first.shape[2] * first.shape[3]
        let channels = rowMajor.map { $0.shape[1] }
        var result = Tensor(uninitializedShape: [batch, channels.reduce(0, +), first.shape[2], first.shape[3]])
        result.withUnsafeMutableBufferPointer { target in
            var offset = 0
            for item in 0..<batch {
                for (part, partChannels) in zip(rowMajor, channels) {
                    let size = partChannels * plane
                    part.withUnsafeBufferPointer { source in
                        for index in 0..<size { target[offset + index] = source[item * size + index] }
                    }
                    offset += size
                }
            }
        }
        return result
    }
}
