import Foundation
import CDNNL

/// Creates a oneDNN matmul `dst = src · weights (+ bias)` over the given layouts, with the epilogue fused. With
/// `int8Columns`, source and weights are int8, and their float32 scales come last among the execution arguments:
/// one for the whole source, then one per weight column (`int8Columns` of them).
func makeMatMul(source: MemoryDescriptor, weights: MemoryDescriptor, bias: MemoryDescriptor?,
                destination: MemoryDescriptor, epilogue: Epilogue = Epilogue(), int8Columns: Int? = nil) -> Primitive {
    let attributes = PrimitiveAttributes()
    let (arguments, scaleLayouts) = productArguments(attributes, hasBias: bias != nil, epilogue: epilogue,
                                                     int8OutputChannels: int8Columns, weightDimension: 1)
    var descriptor: dnnl_primitive_desc_t?
    DNNL.check(dnnl_matmul_primitive_desc_create(&descriptor, DNNL.engine, source.handle, weights.handle,
                                                 bias?.handle, destination.handle, attributes.finish()),
               "creating a matmul")
    return Primitive(descriptor: descriptor!, arguments: arguments, layouts: scaleLayouts)
}

/// Whether oneDNN's matmul here is its blocked (brgemm) kernel for inputs of `dataType`, or only its older gemm
/// (`gemm:jit`, as on AVX2), whose threads split the inner products depending on the shape and thread count. Where
/// it is only the gemm, linear layers run as 1×1 convolutions (`brgconv_1x1`): measured 5–10% faster on SD shapes
/// and 2x on single rows, with results that do not depend on the thread count. For int8 the gemm's pair sums of
/// products saturate without VNNI, where oneDNN's int8 convolutions halve the weights instead (see `Quantization`).
func matmulIsBlocked(for dataType: dnnl_data_type_t) -> Bool {
    MatMulKernels.lock.withLock {
        if let known = MatMulKernels.blocked[dataType.rawValue] { return known }
        let (rows, inner, columns) = (64, 64, 64)
        let source = MemoryDescriptor(shape: [rows, inner], dataType: dataType, tag: dnnl_ab)
        let weights = MemoryDescriptor(shape: [inner, columns], dataType: dataType, tag: dnnl_format_tag_any)
        let destination = MemoryDescriptor(shape: [rows, columns], dataType: dnnl_f32, tag: dnnl_ab)
        var descriptor: dnnl_primitive_desc_t?
        var blocked = false
        if dnnl_matmul_primitive_desc_create(&descriptor, DNNL.engine, source.handle, weights.handle, nil,
                                             destination.handle, nil) == dnnl_success, let descriptor {
            var name: UnsafePointer<CChar>?
            dnnl_primitive_desc_query(descriptor, dnnl_query_impl_info_str, 0, &name)
            blocked = name.map { String(cString: $0).hasPrefix("brg") } ?? false
            dnnl_primitive_desc_destroy(descriptor)
        }
        MatMulKernels.blocked[dataType.rawValue] = blocked
        return blocked
    }
}

private enum MatMulKernels {
    nonisolated(unsafe) static var blocked: [UInt32: Bool] = [:]
    static let lock = NSLock()
}
