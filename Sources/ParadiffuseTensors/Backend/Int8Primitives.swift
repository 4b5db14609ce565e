import CDNNL

/// What int8 convolutions and matmuls need from oneDNN beyond the float layers: int8 memory layouts and scales
/// given at execution.
extension MemoryDescriptor {
    convenience init(int8Shape shape: [Int], tag: dnnl_format_tag_t) {
        self.init(shape: shape, dataType: dnnl_s8, tag: tag)
    }

    convenience init(int8Shape shape: [Int], strides: [Int]) {
        self.init(shape: shape, dataType: dnnl_s8, strides: strides)
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
