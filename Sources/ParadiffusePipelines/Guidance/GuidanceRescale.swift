import Foundation
import ParadiffuseTensors

/// diffusers' `rescale_noise_cfg` (Lin et al. 2023, §3.4): each item of the guided prediction scaled to the
/// standard deviation of the text-conditioned prediction, mixed with the unscaled one by `rescale`:
/// `φ · guided · (σ_text / σ_guided) + (1 − φ) · guided`, σ the unbiased standard deviation over an item.
func rescaledGuidance(_ guided: Tensor, textPrediction: Tensor, rescale: Float) -> Tensor {
    let textDeviations = itemStandardDeviations(textPrediction)
    let guidedDeviations = itemStandardDeviations(guided)
    let itemCount = guided.count / guided.batchSize
    var result = guided.toRowMajor()
    result.withUnsafeMutableBufferPointer { values in
        for item in 0..<guided.batchSize {
            let ratio = textDeviations[item] / guidedDeviations[item]
            for index in item * itemCount..<(item + 1) * itemCount {
                let value = values[index]
                values[index] = rescale * (value * ratio) + (1 - rescale) * value
            }
        }
    }
    return result
}

/// The unbiased (n − 1) standard deviation of each batch item, as `torch.std` over every dimension but the first.
private func itemStandardDeviations(_ tensor: Tensor) -> [Float] {
    let itemCount = tensor.count / tensor.batchSize
    return tensor.toRowMajor().withUnsafeBufferPointer { values in
        (0..<tensor.batchSize).map { item in
            let slice = values[item * itemCount..<(item + 1) * itemCount]
            let mean = slice.reduce(0.0) { $0 + Double($1) } / Double(itemCount)
            let squares = slice.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) }
            return Float(sqrt(squares / Double(itemCount - 1)))
        }
    }
}
