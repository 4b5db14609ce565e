import CDNNL
import Foundation

/// A created oneDNN primitive with one reusable memory object per argument; data pointers are set per call.
final class Primitive {
    private let primitive: dnnl_primitive_t
    private var memories: [(argument: Int32, memory: dnnl_memory_t)] = []
    private let descriptor: dnnl_primitive_desc_t

    /// Takes ownership of `descriptor`; creates memory objects for `arguments` as the primitive describes them, or
    /// as `layouts` does for the arguments oneDNN 3.2 leaves undescribed (scales given at execution).
    init(descriptor: dnnl_primitive_desc_t, arguments: [Int32], layouts: [Int32: MemoryDescriptor] = [:]) {
        self.descriptor = descriptor
        var primitive: dnnl_primitive_t?
        DNNL.check(dnnl_primitive_create(&primitive, descriptor), "creating a primitive")
        self.primitive = primitive!
        for argument in arguments {
            let description = layouts[argument]?.handle
                ?? dnnl_primitive_desc_query_md(descriptor, dnnl_query_exec_arg_md, argument)
            var memory: dnnl_memory_t?
            DNNL.check(dnnl_memory_create(&memory, description, DNNL.engine, dnnl_memory_none()),
                       "creating memory for argument \(argument)")
            memories.append((argument, memory!))
        }
    }

    /// The layout the primitive chose for `argument` (e.g. prepacked weights).
    func layout(of argument: Int32) -> MemoryDescriptor {
        var copy: dnnl_memory_desc_t?
        DNNL.check(dnnl_memory_desc_clone(&copy, dnnl_primitive_desc_query_md(descriptor, dnnl_query_exec_arg_md,
                                                                            argument)), "cloning a descriptor")
        return MemoryDescriptor(owning: copy!)
    }

    /// The name of the kernel oneDNN chose, e.g. `brgconv:avx512_core`.
    var implementation: String {
        var name: UnsafePointer<CChar>?
        dnnl_primitive_desc_query(descriptor, dnnl_query_impl_info_str, 0, &name)
        return name.map { String(cString: $0) } ?? "?"
    }

    /// A primitive runs on one thread at a time (its memory objects take each call's pointers); different
    /// primitives, e.g. of two pipelines, run concurrently on their threads' streams.
    private let executionLock = NSLock()

    /// Runs the primitive; `pointers` gives the data for each argument, in the order of `arguments`.
    func run(_ pointers: [UnsafeRawPointer]) {
        precondition(pointers.count == memories.count, "primitive takes \(memories.count) arguments")
        executionLock.lock()
        defer { executionLock.unlock() }
        ConcurrentExecutions.begin()
        defer { ConcurrentExecutions.end() }
        var arguments = [dnnl_exec_arg_t]()
        arguments.reserveCapacity(memories.count)
        for (index, entry) in memories.enumerated() {
            DNNL.check(dnnl_memory_set_data_handle(entry.memory, UnsafeMutableRawPointer(mutating: pointers[index])),
                       "setting argument \(entry.argument)")
            arguments.append(dnnl_exec_arg_t(arg: entry.argument, memory: entry.memory))
        }
        let stream = DNNL.stream
        DNNL.check(dnnl_primitive_execute(primitive, stream, Int32(arguments.count), arguments), "executing")
        DNNL.check(dnnl_stream_wait(stream), "waiting for the stream")
    }

    deinit {
        for entry in memories { dnnl_memory_destroy(entry.memory) }
        dnnl_primitive_destroy(primitive)
        dnnl_primitive_desc_destroy(descriptor)
    }
}

/// Attributes with post-ops, built fluently and released after primitive creation.
final class PrimitiveAttributes {
    let handle: dnnl_primitive_attr_t
    private let postOps: dnnl_post_ops_t
    private(set) var binaryCount = 0
    private var postOpCount = 0

    init() {
        var attributes: dnnl_primitive_attr_t?
        DNNL.check(dnnl_primitive_attr_create(&attributes), "creating attributes")
        handle = attributes!
        var postOps: dnnl_post_ops_t?
        DNNL.check(dnnl_post_ops_create(&postOps), "creating post-ops")
        self.postOps = postOps!
    }

    /// Appends `dst = dst + src1`; returns the execution argument for src1.
    func appendBinaryAdd(_ source: MemoryDescriptor) -> Int32 {
        DNNL.check(dnnl_post_ops_append_binary(postOps, dnnl_binary_add, source.handle), "appending an add")
        defer { postOpCount += 1; binaryCount += 1 }
        return Int32(DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE) * Int32(postOpCount + 1) | Int32(DNNL_ARG_SRC_1)
    }

    func appendEltwise(_ algorithm: dnnl_alg_kind_t, alpha: Float = 0, beta: Float = 0) {
        DNNL.check(dnnl_post_ops_append_eltwise(postOps, algorithm, alpha, beta), "appending an eltwise op")
        postOpCount += 1
    }

    /// Call after appending post-ops, before creating the primitive descriptor.
    func finish() -> dnnl_primitive_attr_t {
        DNNL.check(dnnl_primitive_attr_set_post_ops(handle, postOps), "setting post-ops")
        return handle
    }

    deinit {
        dnnl_post_ops_destroy(postOps)
        dnnl_primitive_attr_destroy(handle)
    }
}

/// Copies `source` (described by `from`) into a fresh buffer laid out as `to`.
func reordered(_ source: UnsafeRawPointer, from: MemoryDescriptor, to: MemoryDescriptor) -> TensorStorage {
    let storage = TensorStorage(byteCount: to.byteSize)
    var descriptor: dnnl_primitive_desc_t?
    DNNL.check(dnnl_reorder_primitive_desc_create(&descriptor, from.handle, DNNL.engine, to.handle, DNNL.engine, nil),
               "creating a reorder")
    let reorder = Primitive(descriptor: descriptor!, arguments: [Int32(DNNL_ARG_FROM), Int32(DNNL_ARG_TO)])
    reorder.run([source, UnsafeRawPointer(storage.bytes)])
    return storage
}
