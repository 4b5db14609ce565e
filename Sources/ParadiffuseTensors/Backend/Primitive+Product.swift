extension Primitive {
    /// Runs a convolution or matmul made by `makeConvolution` or `makeMatMul` on `input` into `output`, its execution
    /// arguments in `productArguments`' order. With `weightScales` (int8 weights) the input is quantized per tensor
    /// first, and its scale and the weights' scales follow.
    func runProduct(input: Tensor, weights: PackedWeightStorage, weightScales: TensorStorage?, bias: Tensor?,
                    output: Tensor, residual: Tensor?) {
        let quantizedInput = weightScales.map { _ in Int8Quantized(wholeTensor: input) }
        let weights = weights.forCall()
        var pointers = [quantizedInput.map { UnsafeRawPointer($0.values.bytes) } ?? input.unsafeRawPointer,
                        UnsafeRawPointer(weights.bytes)]
        if let bias { pointers.append(bias.unsafeRawPointer) }
        pointers.append(output.unsafeRawPointer)
        if let residual { pointers.append(residual.unsafeRawPointer) }
        if let quantizedInput, let weightScales {
            pointers += [UnsafeRawPointer(quantizedInput.scales.bytes), UnsafeRawPointer(weightScales.bytes)]
        }
        withExtendedLifetime((quantizedInput, weights)) { run(pointers) }
    }
}
