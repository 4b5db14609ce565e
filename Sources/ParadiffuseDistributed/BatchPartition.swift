/// `count` items divided among `parts` processes in contiguous, near-equal slices: the first `count % parts`
/// slices hold one item more; with more processes than items the last slices are empty.
public func nearEqualSlices(of count: Int, parts: Int) -> [Range<Int>] {
    precondition(count >= 0 && parts >= 1, "cannot divide \(count) items into \(parts) slices")
    let base = count / parts, larger = count % parts
    var start = 0
    return (0..<parts).map { part in
        let size = base + (part < larger ? 1 : 0)
        defer { start += size }
        return start..<start + size
    }
}
