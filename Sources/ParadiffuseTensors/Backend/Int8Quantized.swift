import CDNNL
import CKernels
import Dispatch

/// Values quantized to symmetric int8 (`CKernelsQuantize.h`): value ≈ q · scale with q in -127...127, one scale for
/// a whole tensor (a layer's input, quantized at every call) or one per row (a layer's weights, one row per output
/// channel, quantized once at load).
struct Int8Quantized {
    /// `count` int8 values in the source's memory order.
    let values: TensorStorage
    /// float32 scales: one, or one per row.
    let scales: TensorStorage
    let count: Int
    let scaleCount: Int

    /// Per-tensor quantization of a float32 or bfloat16 tensor, in its memory order (any layout). Large tensors
    /// are split over as many threads as oneDNN uses.
    init(wholeTensor tensor: Tensor) {
        count = tensor.count
        scaleCount = 1
        values = TensorStorage(byteCount: count)
        scales = TensorStorage(byteCount: 4)
        let chunks = Self.chunks(count)
        // Each task reads its own chunk and writes its own slot.
        nonisolated(unsafe) let source = tensor.unsafeRawPointer
        let dtype = tensor.dtype
        nonisolated(unsafe) let maxima = UnsafeMutablePointer<Float>.allocate(capacity: chunks.count)
        defer { maxima.deallocate() }
        DispatchQueue.concurrentPerform(iterations: chunks.count) { index in
            maxima[index] = Self.maxAbs(source, dtype: dtype, range: chunks[index])
        }
        let scale = pd_symmetric_int8_scale(UnsafeBufferPointer(start: maxima, count: chunks.count).max() ?? 0)
        scales.bytes.assumingMemoryBound(to: Float.self).pointee = scale
        nonisolated(unsafe) let destination = values.bytes.assumingMemoryBound(to: Int8.self)
        DispatchQueue.concurrentPerform(iterations: chunks.count) { index in
            Self.quantize(source, dtype: dtype, range: chunks[index], inverseScale: 1 / scale, into: destination)
        }
    }

    /// Per-row quantization of a row-major float32 or bfloat16 tensor whose rows are `shape[0]`.
    init(rowsOf tensor: Tensor) {
        precondition(tensor.layout == .rowMajor, "int8 weights are quantized from row-major tensors, got \(tensor)")
        count = tensor.count
        scaleCount = tensor.shape[0]
        values = TensorStorage(byteCount: count)
        scales = TensorStorage(byteCount: 4 * scaleCount)
        let rowLength = count / max(scaleCount, 1)
        let source = tensor.unsafeRawPointer, dtype = tensor.dtype
        let scaleValues = scales.bytes.assumingMemoryBound(to: Float.self)
        let destination = values.bytes.assumingMemoryBound(to: Int8.self)
        for row in 0..<scaleCount {
            let range = row * rowLength..<(row + 1) * rowLength
            let scale = pd_symmetric_int8_scale(Self.maxAbs(source, dtype: dtype, range: range))
            scaleValues[row] = scale
            Self.quantize(source, dtype: dtype, range: range, inverseScale: 1 / scale, into: destination)
        }
    }

    var int8Values: [Int8] { Array(UnsafeBufferPointer(start: values.bytes.assumingMemoryBound(to: Int8.self),
                                                       count: count)) }
    var scaleValues: [Float] { Array(UnsafeBufferPointer(start: scales.bytes.assumingMemoryBound(to: Float.self),
                                                         count: scaleCount)) }

    /// Below this many elements a tensor is quantized on one thread.
    private static let elementsPerThread = 1 << 16

    private static func chunks(_ count: Int) -> [Range<Int>] {
        let parts = max(1, min(Int(omp_get_max_threads()), count / elementsPerThread))
        // Chunk boundaries on multiples of 64 elements keep each thread's writes in its own cache lines.
        let step = max(64, ((count + parts - 1) / parts + 63) & ~63)
        return stride(from: 0, to: max(count, 1), by: step).map { $0..<min($0 + step, count) }
    }

    private static var isa: pd_isa { CPUCapabilities.InstructionSet.current.kernelLevel }

    private static func maxAbs(_ source: UnsafeRawPointer, dtype: DType, range: Range<Int>) -> Float {
        switch dtype {
        case .float32: pd_max_abs_f32(isa, source.assumingMemoryBound(to: Float.self) + range.lowerBound, range.count)
        case .bfloat16: pd_max_abs_bf16(isa, source.assumingMemoryBound(to: UInt16.self) + range.lowerBound, range.count)
        }
    }

    private static func quantize(_ source: UnsafeRawPointer, dtype: DType, range: Range<Int>, inverseScale: Float,
                                 into destination: UnsafeMutablePointer<Int8>) {
        switch dtype {
        case .float32:
            pd_quantize_s8_f32(isa, source.assumingMemoryBound(to: Float.self) + range.lowerBound, range.count,
                               inverseScale, destination + range.lowerBound)
        case .bfloat16:
            pd_quantize_s8_bf16(isa, source.assumingMemoryBound(to: UInt16.self) + range.lowerBound, range.count,
                                inverseScale, destination + range.lowerBound)
        }
    }
}
