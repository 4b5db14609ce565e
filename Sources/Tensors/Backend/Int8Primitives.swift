import CDNNL

/// What int8 convolutions and matmuls need from oneDNN beyond the float layers: int8 memory layouts and scales
/// given at execution.
extension MemoryDescriptor {
    convenience init(int8Shape shape: [Int], tag: dnnl_format_tag_t) {
        var handle: dnnl_memory_desc_t?
        var dims = DNNL.dims(shape)
        DNNL.check(withUnsafePointer(to: &dims) { pointer in
            pointer.withMemoryRebound(to: dnnl_dim_t.self, capacity: 12) {
                dnnl_memory_desc_create_with_tag(&handle, Int32(shape.count), $0, dnnl_s8, tag)
            }
        }, "describing int8 \(shape)")
        self.init(owning: handle!)
    }

    convenience init(int8Shape shape: [Int], strides: [Int]) {
        var handle: dnnl_memory_desc_t?
        var dims = DNNL.dims(shape)
        var strideDims = DNNL.dims(strides)
        DNNL.check(withUnsafePointer(to: &dims) { dimsPointer in
            withUnsafePointer(to: &strideDims) { stridesPointer in
                dimsPointer.withMemoryRebound(to: dnnl_dim_t.self, capacity: 12) { dimsBase in
                    stridesPointer.withMemoryRebound(to: dnnl_dim_t.self, capacity: 12) { stridesBase in
                        dnnl_memory_desc_create_with_strides(&handle, Int32(shape.count), dimsBase, dnnl_s8, stridesBase)
                    }
                }
            }
        }, "describing int8 \(shape) with strides \(strides)")
        self.init(owning: handle!)
    }
}

extension PrimitiveAttributes {
    /// Multiplies the int8 values of `argument` by `count` float32 scales given at execution: one for the whole
    /// tensor (`mask` 0) or one per index along the dimension set in `mask`. Returns the execution argument of the
    /// scales and their layout.
    func setRuntimeScales(of argument: Int32, mask: Int32, count: Int) -> (argument: Int32, layout: MemoryDescriptor) {
        DNNL.check(dnnl_primitive_attr_set_scales_mask(handle, argument, mask), "setting scales of argument \(argument)")
        return (Int32(DNNL_ARG_ATTR_SCALES) | argument, MemoryDescriptor(shape: [count], tag: dnnl_a))
    }
}
