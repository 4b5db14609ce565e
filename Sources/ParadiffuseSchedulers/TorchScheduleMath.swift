/// PyTorch's float32 CPU kernels for the schedule tensors, reproduced to the bit: diffusers builds its betas
/// and alpha products with them, and steps agree within 1e-6 only if these agree first.
enum TorchScheduleMath {
    /// `torch.linspace(start, end, count, dtype: float32)`: the first half counted up from `start`, the second
    /// down from `end`, each value one fused multiply-add in float32.
    static func linspace(from start: Float, to end: Float, count: Int) -> [Float] {
        guard count > 1 else { return count == 1 ? [start] : [] }
        let step = (end - start) / Float(count - 1)
        let halfway = count / 2
        return (0..<count).map { index in
            index < halfway
                ? start.addingProduct(step, Float(index))
                : end.addingProduct(-step, Float(count - index - 1))
        }
    }

    /// `torch.cumprod` of a float32 tensor, which accumulates in double precision.
    static func cumulativeProduct(_ values: [Float]) -> [Float] {
        var product = 1.0
        return values.map { value in
            product *= Double(value)
            return Float(product)
        }
    }
}
