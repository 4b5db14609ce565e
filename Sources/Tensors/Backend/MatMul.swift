import CDNNL

/// Creates a oneDNN matmul `dst = src · weights (+ bias)` over the given layouts, with an optional scale and
/// optional activation (its `alpha` is the algorithm's parameter, e.g. swish's β in x·sigmoid(βx)), an optional
/// fused residual add (`dst += residual`, of the layout `residual` describes) and an optional `outputScale`
/// applied last.
func makeMatMul(source: MemoryDescriptor, weights: MemoryDescriptor, bias: MemoryDescriptor?,
                destination: MemoryDescriptor, scale: Float = 1, residual: MemoryDescriptor? = nil,
                activation: dnnl_alg_kind_t? = nil, activationAlpha: Float = 1, outputScale: Float = 1) -> Primitive {
    let attributes = PrimitiveAttributes()
    var arguments = [Int32(DNNL_ARG_SRC), Int32(DNNL_ARG_WEIGHTS)]
    if bias != nil { arguments.append(Int32(DNNL_ARG_BIAS)) }
    arguments.append(Int32(DNNL_ARG_DST))
    if scale != 1 { attributes.appendEltwise(dnnl_eltwise_linear, alpha: scale) }
    if let activation { attributes.appendEltwise(activation, alpha: activationAlpha) }
    if let residual { arguments.append(attributes.appendBinaryAdd(residual)) }
    if outputScale != 1 { attributes.appendEltwise(dnnl_eltwise_linear, alpha: outputScale) }
    var descriptor: dnnl_primitive_desc_t?
    DNNL.check(dnnl_matmul_primitive_desc_create(&descriptor, DNNL.engine, source.handle, weights.handle,
                                                 bias?.handle, destination.handle, attributes.finish()),
               "creating a matmul")
    return Primitive(descriptor: descriptor!, arguments: arguments)
}
