/// Triangular Anderson acceleration (Tang et al. 2024, §4; `taa_step` in parallel_sd.py).
///
/// Each step keeps its entry x_{n+1} and order-k residual R_n from the last `memory` iterations it spent in the
/// window. With ΔX, ΔR the differences of consecutive iterations, the update of step n is
///
///     x_{n+1} ← x_{n+1} + R_n − (ΔX_n + ΔR_n)·γ_n,   γ_n = argmin_γ Σ_{p ≤ n} ‖R_p − ΔR_p·γ‖² + λ‖γ‖²,
///
/// the sum running over the window's steps up to n (triangular: an entry depends only on earlier steps). The
/// least squares is solved for each image on its own. Only steps after the earliest unconverged step are
/// accelerated; that step and the ones before it take the plain order-k update, which makes the earliest
/// unconverged step exact and so guarantees progress.
///
/// Each step uses its own most recent differences. (The reference keeps one shared memory and takes its oldest
/// rows, which for steps that entered a sliding window late are zero padding; with the window covering every
/// step the two agree.)
struct TriangularAnderson {
    let memory: Int
    let regularization: Double
    private var history: [Int: [Snapshot]] = [:]

    private struct Snapshot {
        let entry: LatentVector
        let residual: LatentVector
    }

    init(memory: Int, regularization: Double) {
        self.memory = memory
        self.regularization = regularization
    }

    /// Remembers step `step`'s entry before this iteration's update and its order-k residual.
    mutating func record(step: Int, entry: LatentVector, residual: LatentVector) {
        var snapshots = history[step, default: []]
        snapshots.append(Snapshot(entry: entry, residual: residual))
        if snapshots.count > memory { snapshots.removeFirst() }
        history[step] = snapshots
    }

    mutating func forgetSteps(before step: Int) {
        history = history.filter { $0.key >= step }
    }

    /// The corrections (ΔX_n + ΔR_n)·γ_n of the window's steps after window position `firstUnconverged`
    /// (nil where a step takes the plain update); `residuals` are this iteration's order-k residuals.
    func corrections(window: Range<Int>, residuals: [LatentVector], after firstUnconverged: Int) -> [LatentVector?] {
        let images = residuals[0].imageCount
        var gram = Array(repeating: Array(repeating: Array(repeating: 0.0, count: memory), count: memory),
                         count: images)
        var projection = Array(repeating: Array(repeating: 0.0, count: memory), count: images)
        var corrections = [LatentVector?](repeating: nil, count: window.count)
        // Differences every step so far has: a step that entered the window later has fewer.
        var usable = memory - 1
        for (position, step) in window.enumerated() {
            let snapshots = history[step] ?? []
            usable = min(usable, snapshots.count - 1)
            guard usable > 0 else { break }
            let residualDifferences = differences(snapshots, count: usable, of: \.residual)
            for image in 0..<images {
                for a in 0..<usable {
                    for b in 0...a {
                        let product = residualDifferences[a].dot(residualDifferences[b], image: image)
                        gram[image][a][b] += product
                        if a != b { gram[image][b][a] += product }
                    }
                    projection[image][a] += residualDifferences[a].dot(residuals[position], image: image)
                }
            }
            guard position > firstUnconverged else { continue }
            let directions = zip(differences(snapshots, count: usable, of: \.entry), residualDifferences).map(+)
            var correction = LatentVector.zeros(like: residuals[position])
            for image in 0..<images {
                let matrix = (0..<usable).map { a in
                    (0..<usable).map { b in gram[image][a][b] + (a == b ? regularization : 0) }
                }
                let rightHandSide = Array(projection[image][0..<usable])
                guard let weights = DenseLinearSolve.solve(matrix, rightHandSide) else { continue }
                for (direction, weight) in zip(directions, weights) {
                    correction.add(direction, scaledBy: weight, image: image)
                }
            }
            corrections[position] = correction
        }
        return corrections
    }

    /// The last `count` differences of consecutive snapshots, newest first.
    private func differences(_ snapshots: [Snapshot], count: Int,
                             of part: KeyPath<Snapshot, LatentVector>) -> [LatentVector] {
        let last = snapshots.count - 1
        return (0..<count).map { snapshots[last - $0][keyPath: part] - snapshots[last - $0 - 1][keyPath: part] }
    }
}
