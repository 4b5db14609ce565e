import CDNNL
#if canImport(Glibc)
import Glibc
#endif

/// The process-wide oneDNN CPU engine, and a stream per thread.
enum DNNL {
    nonisolated(unsafe) static let engine: dnnl_engine_t = {
        _ = CPUCapabilities.current  // applies PARADIFFUSE_MAX_CPU_ISA before oneDNN's first primitive
        var engine: dnnl_engine_t?
        check(dnnl_engine_create(&engine, dnnl_cpu, 0), "creating the CPU engine")
        return engine!
    }()

    /// This thread's stream: a stream is not thread-safe, and primitives on different streams run concurrently,
    /// so that two generations in one process compute at the same time. Destroyed when its thread ends.
    static var stream: dnnl_stream_t {
        if let existing = pthread_getspecific(streamKey) { return OpaquePointer(existing) }
        var created: dnnl_stream_t?
        check(dnnl_stream_create(&created, engine, dnnl_stream_default_flags.rawValue), "creating a stream")
        let stream = created!
        pthread_setspecific(streamKey, UnsafeRawPointer(stream))
        return stream
    }

    private static let streamKey: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { stream in
            if let stream { dnnl_stream_destroy(OpaquePointer(stream)) }
        }
        precondition(status == 0, "no thread-specific key for oneDNN streams (\(status))")
        return key
    }()

    /// oneDNN failures here are programming errors: every user-facing shape is validated before it gets here.
    static func check(_ status: dnnl_status_t, _ what: @autoclosure () -> String) {
        precondition(status == dnnl_success, "oneDNN failed (\(status.rawValue)) \(what())")
    }

    static func dims(_ values: [Int]) -> dnnl_dims_t {
        var result = dnnl_dims_t(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &result) { raw in
            let slots = raw.bindMemory(to: dnnl_dim_t.self)
            for (index, value) in values.enumerated() { slots[index] = dnnl_dim_t(value) }
        }
        return result
    }

    static func dataType(_ dtype: DType) -> dnnl_data_type_t {
        switch dtype {
        case .float32: dnnl_f32
        case .bfloat16: dnnl_bf16
        }
    }
}

/// An owned oneDNN memory descriptor.
final class MemoryDescriptor {
    let handle: dnnl_memory_desc_t

    init(owning handle: dnnl_memory_desc_t) { self.handle = handle }

    convenience init(shape: [Int], dtype: DType = .float32, tag: dnnl_format_tag_t) {
        self.init(shape: shape, dataType: DNNL.dataType(dtype), tag: tag)
    }

    convenience init(shape: [Int], dtype: DType = .float32, strides: [Int]) {
        self.init(shape: shape, dataType: DNNL.dataType(dtype), strides: strides)
    }

    convenience init(shape: [Int], dataType: dnnl_data_type_t, tag: dnnl_format_tag_t) {
        var handle: dnnl_memory_desc_t?
        var dims = DNNL.dims(shape)
        DNNL.check(withUnsafePointer(to: &dims) { pointer in
            pointer.withMemoryRebound(to: dnnl_dim_t.self, capacity: 12) {
                dnnl_memory_desc_create_with_tag(&handle, Int32(shape.count), $0, dataType, tag)
            }
        }, "describing \(shape)")
        self.init(owning: handle!)
    }

    convenience init(shape: [Int], dataType: dnnl_data_type_t, strides: [Int]) {
        var handle: dnnl_memory_desc_t?
        var dims = DNNL.dims(shape)
        var strideDims = DNNL.dims(strides)
        DNNL.check(withUnsafePointer(to: &dims) { dimsPointer in
            withUnsafePointer(to: &strideDims) { stridesPointer in
                dimsPointer.withMemoryRebound(to: dnnl_dim_t.self, capacity: 12) { dimsBase in
                    stridesPointer.withMemoryRebound(to: dnnl_dim_t.self, capacity: 12) { stridesBase in
                        dnnl_memory_desc_create_with_strides(&handle, Int32(shape.count), dimsBase, dataType,
                                                             stridesBase)
                    }
                }
            }
        }, "describing \(shape) with strides \(strides)")
        self.init(owning: handle!)
    }

    /// Describes how `tensor` is laid out in memory.
    convenience init(_ tensor: Tensor) {
        switch tensor.layout {
        case .channelsLast: self.init(shape: tensor.shape, dtype: tensor.dtype, tag: dnnl_nhwc)
        case .rowMajor: self.init(shape: tensor.shape, dtype: tensor.dtype, strides: Self.rowMajorStrides(tensor.shape))
        }
    }

    static func rowMajorStrides(_ shape: [Int]) -> [Int] {
        var strides = Array(repeating: 1, count: shape.count)
        for index in stride(from: shape.count - 2, through: 0, by: -1) {
            strides[index] = strides[index + 1] * shape[index + 1]
        }
        return strides
    }

    var byteSize: Int { dnnl_memory_desc_get_size(handle) }

    var dataType: dnnl_data_type_t {
        var value = dnnl_data_type_undef
        _ = dnnl_memory_desc_query(handle, dnnl_query_data_type, &value)
        return value
    }

    func isEqual(to other: MemoryDescriptor) -> Bool { dnnl_memory_desc_equal(handle, other.handle) != 0 }

    deinit { dnnl_memory_desc_destroy(handle) }
}
