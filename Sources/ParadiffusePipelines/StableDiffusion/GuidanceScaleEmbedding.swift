import Foundation
import ParadiffuseTensors

/// diffusers' `get_guidance_scale_embedding` (Latent Consistency Models): the sinusoidal embedding
/// `[sin(1000·w·f_k), cos(1000·w·f_k)]` with f_k = 10000^(−k/(d/2 − 1)) of each guidance weight w, `[N, width]`
/// (a zero column appended for an odd width), in diffusers' float32 order of operations. Guidance-distilled
/// UNets (`time_cond_proj_dim`) take it in place of classifier-free guidance, with w = guidance scale − 1.
func guidanceScaleEmbedding(_ weights: [Float], width: Int) -> Tensor {
    let half = width / 2
    let step = Float(log(10000.0)) / Float(half - 1)
    let frequencies = (0..<half).map { exp(Float($0) * -step) }
    var values = [Float](repeating: 0, count: weights.count * width)
    for (item, weight) in weights.enumerated() {
        for (index, frequency) in frequencies.enumerated() {
            let angle = weight * 1000 * frequency
            values[item * width + index] = sin(angle)
            values[item * width + half + index] = cos(angle)
        }
    }
    return Tensor(shape: [weights.count, width], scalars: values)
}
