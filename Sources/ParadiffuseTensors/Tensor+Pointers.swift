/// Raw float access for kernels (float32 tensors only). Writes go to freshly made tensors that nothing else shares.
extension Tensor {
    var floats: UnsafePointer<Float> {
        precondition(dtype == .float32, "float access to a \(dtype) tensor")
        return UnsafePointer(storage.bytes.assumingMemoryBound(to: Float.self))
    }

    var mutableFloats: UnsafeMutablePointer<Float> {
        precondition(dtype == .float32, "float access to a \(dtype) tensor")
        return storage.bytes.assumingMemoryBound(to: Float.self)
    }
}
