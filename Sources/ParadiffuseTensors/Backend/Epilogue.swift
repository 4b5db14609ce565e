import CDNNL

/// The elementwise work oneDNN runs fused after a convolution's or matmul's product (and bias):
/// `(activation(product · scale) + residual) · outputScale`, each part only when asked for.
struct Epilogue {
    var scale: Float = 1
    /// The activation's algorithm and its parameter (e.g. swish's β in x·sigmoid(βx)).
    var activation: dnnl_alg_kind_t?
    var activationAlpha: Float = 1
    /// The layout of a tensor added to the result.
    var residual: MemoryDescriptor?
    var outputScale: Float = 1

    /// Appends the post-ops to `attributes`; returns the execution arguments they add (the residual's).
    func append(to attributes: PrimitiveAttributes) -> [Int32] {
        var arguments: [Int32] = []
        if scale != 1 { attributes.appendEltwise(dnnl_eltwise_linear, alpha: scale) }
        if let activation { attributes.appendEltwise(activation, alpha: activationAlpha) }
        if let residual { arguments.append(attributes.appendBinaryAdd(residual)) }
        if outputScale != 1 { attributes.appendEltwise(dnnl_eltwise_linear, alpha: outputScale) }
        return arguments
    }
}

/// The execution arguments of a convolution or matmul — source, weights, bias (when it has one), destination, the
/// epilogue's, then with `int8OutputChannels` its int8 scales given at execution (one for the whole source, then
/// one per output channel along the weights' dimension `weightDimension`) — after adding the epilogue and scales to
/// `attributes`; with the layouts of the scales.
func productArguments(_ attributes: PrimitiveAttributes, hasBias: Bool, epilogue: Epilogue,
                      int8OutputChannels: Int?, weightDimension: Int32)
    -> (arguments: [Int32], layouts: [Int32: MemoryDescriptor]) {
    var arguments = [Int32(DNNL_ARG_SRC), Int32(DNNL_ARG_WEIGHTS)]
    if hasBias { arguments.append(Int32(DNNL_ARG_BIAS)) }
    arguments.append(Int32(DNNL_ARG_DST))
    arguments += epilogue.append(to: attributes)
    var layouts: [Int32: MemoryDescriptor] = [:]
    if let channels = int8OutputChannels {
        for scales in [attributes.setRuntimeScales(of: Int32(DNNL_ARG_SRC), mask: 0, count: 1),
                       attributes.setRuntimeScales(of: Int32(DNNL_ARG_WEIGHTS), mask: 1 << weightDimension,
                                                   count: channels)] {
            arguments.append(scales.argument)
            layouts[scales.argument] = scales.layout
        }
    }
    return (arguments, layouts)
}

/// Creates a oneDNN forward convolution over the given layouts (`weights` usually `format_tag any`), with the
/// epilogue fused; its execution arguments are `productArguments`'.
func makeConvolution(source: MemoryDescriptor, weights: MemoryDescriptor, bias: MemoryDescriptor?,
                     destination: MemoryDescriptor, stride: Int, paddingBefore: Int, paddingAfter: Int,
                     epilogue: Epilogue = Epilogue(), int8OutputChannels: Int? = nil, what: @autoclosure () -> String)
    -> Primitive {
    let attributes = PrimitiveAttributes()
    let (arguments, scaleLayouts) = productArguments(attributes, hasBias: bias != nil, epilogue: epilogue,
                                                     int8OutputChannels: int8OutputChannels, weightDimension: 0)
    var descriptor: dnnl_primitive_desc_t?
    var strides = DNNL.dims([stride, stride])
    var dilations = DNNL.dims([0, 0])
    var before = DNNL.dims([paddingBefore, paddingBefore])
    var after = DNNL.dims([paddingAfter, paddingAfter])
    let attributeHandle = attributes.finish()
    let status = withUnsafePointer(to: &strides) { stridesPointer in
        withUnsafePointer(to: &dilations) { dilationsPointer in
            withUnsafePointer(to: &before) { beforePointer in
                withUnsafePointer(to: &after) { afterPointer in
                    dnnl_convolution_forward_primitive_desc_create(
                        &descriptor, DNNL.engine, dnnl_forward_inference, dnnl_convolution_direct,
                        source.handle, weights.handle, bias?.handle, destination.handle,
                        UnsafeRawPointer(stridesPointer).assumingMemoryBound(to: dnnl_dim_t.self),
                        UnsafeRawPointer(dilationsPointer).assumingMemoryBound(to: dnnl_dim_t.self),
                        UnsafeRawPointer(beforePointer).assumingMemoryBound(to: dnnl_dim_t.self),
                        UnsafeRawPointer(afterPointer).assumingMemoryBound(to: dnnl_dim_t.self),
                        attributeHandle)
                }
            }
        }
    }
    DNNL.check(status, "creating a convolution \(what())")
    return Primitive(descriptor: descriptor!, arguments: arguments, layouts: scaleLayouts)
}
