import ParadiffuseTensors

/// The trajectory ParaTAA refines: entry 0 is the starting latents x_T, step `n` maps entry `n` to entry `n + 1`,
/// and the entry after the last step is the result. Steps before `convergedSteps` are final; entries past the
/// last one a window has reached are not yet initialized.
struct ParaTAATrajectory {
    let shape: [Int]
    let layout: Layout
    /// The initialized entries, from entry 0 on.
    private(set) var entries: [LatentVector]
    var convergedSteps: Int

    /// A fresh start: only x_T is known.
    init(start: Tensor) {
        shape = start.shape
        layout = start.layout
        entries = [LatentVector(start)]
        convergedSteps = 0
    }

    /// A warm start from a whole trajectory (one entry per step and the result), whose first `convergedSteps`
    /// steps are kept.
    init(warmStart trajectory: [Tensor], convergedSteps: Int) {
        shape = trajectory[0].shape
        layout = trajectory[0].layout
        entries = trajectory.map(LatentVector.init)
        self.convergedSteps = convergedSteps
    }

    subscript(index: Int) -> LatentVector { entries[index] }

    func tensor(at index: Int) -> Tensor { entries[index].tensor(shape: shape, layout: layout) }

    /// Entries up to `last` that were never reached start as copies of the last initialized entry, as the
    /// reference starts each new window from the latest sample it has.
    mutating func initializeEntries(through last: Int) {
        while entries.count <= last { entries.append(entries[entries.count - 1]) }
    }

    /// The fixed-point update of entry `index`: `x + residual − correction`.
    mutating func update(_ index: Int, residual: LatentVector, correction: LatentVector?) {
        let moved = entries[index] + residual
        entries[index] = correction.map { moved - $0 } ?? moved
    }
}
