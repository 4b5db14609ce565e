import Foundation
import ParadiffuseTensors

/// Read-only bytes that tensors may borrow: a mapped file (`MappedFile`) or a copy in memory (`CopiedBytes`).
protocol ByteSource: MappedMemory, Sendable {
    var bytes: UnsafeRawBufferPointer { get }
}

extension MappedFile: ByteSource {}

/// A 64-byte aligned copy of some bytes, kept for as long as tensors borrow it.
final class CopiedBytes: ByteSource, @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer

    init(_ data: Data) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: data.count, alignment: 64)
        buffer.copyBytes(from: data)
        bytes = UnsafeRawBufferPointer(buffer)
    }

    func releasePages(of range: UnsafeRawBufferPointer) {}

    deinit { bytes.deallocate() }
}
