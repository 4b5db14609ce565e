import CDNNL

/// Creates a oneDNN matmul `dst = src · weights (+ bias)` over the given layouts, with an optional scale and
/// optional activation (its `alpha` is the algorithm's parameter, e.g. swish's β in x·sigmoid(βx)), an optional
/// fused residual add (`dst += residual`, of the layout `residual` describes) and an optional `outputScale`
/// applied last. With `int8Columns`, source and weights are int8, and their float32 scales come last among the
/// execution arguments: one for the whole source, then one per weight column (`int8Columns` of them).
func makeMatMul(source: MemoryDescriptor, weights: MemoryDescriptor, bias: MemoryDescriptor?,
                destination: MemoryDescriptor, scale: Float = 1, residual: MemoryDescriptor? = nil,
                activation: dnnl_alg_kind_t? = nil, activationAlpha: Float = 1, outputScale: Float = 1,
                int8Columns: Int? = nil) -> Primitive {
    let attributes = PrimitiveAttributes()
    var arguments = [Int32(DNNL_ARG_SRC), Int32(DNNL_ARG_WEIGHTS)]
    if bias != nil { arguments.append(Int32(DNNL_ARG_BIAS)) }
    arguments.append(Int32(DNNL_ARG_DST))
    if scale != 1 { attributes.appendEltwise(dnnl_eltwise_linear, alpha: scale) }
    if let activation { attributes.appendEltwise(activation, alpha: activationAlpha) }
    if let residual { arguments.append(attributes.appendBinaryAdd(residual)) }
    if outputScale != 1 { attributes.appendEltwise(dnnl_eltwise_linear, alpha: outputScale) }
    var scaleLayouts: [Int32: MemoryDescriptor] = [:]
    if let columns = int8Columns {
        for scales in [attributes.setRuntimeScales(of: Int32(DNNL_ARG_SRC), mask: 0, count: 1),
                       attributes.setRuntimeScales(of: Int32(DNNL_ARG_WEIGHTS), mask: 1 << 1, count: columns)] {
            arguments.append(scales.argument)
            scaleLayouts[scales.argument] = scales.layout
        }
    }
    var descriptor: dnnl_primitive_desc_t?
    DNNL.check(dnnl_matmul_primitive_desc_create(&descriptor, DNNL.engine, source.handle, weights.handle,
                                                 bias?.handle, destination.handle, attributes.finish()),
               "creating a matmul")
    return Primitive(descriptor: descriptor!, arguments: arguments, layouts: scaleLayouts)
}
