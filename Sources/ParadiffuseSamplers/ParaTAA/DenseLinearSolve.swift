/// Solves the small square systems of triangular Anderson acceleration (memory − 1 unknowns) by Gaussian
/// elimination with partial pivoting, as `torch.linalg.solve` does (LU with partial pivoting).
enum DenseLinearSolve {
    /// The solution of `matrix · x = rightHandSide`, or nil when the matrix is singular.
    static func solve(_ matrix: [[Double]], _ rightHandSide: [Double]) -> [Double]? {
        let size = rightHandSide.count
        var rows = matrix
        var values = rightHandSide
        for column in 0..<size {
            let pivot = (column..<size).max { abs(rows[$0][column]) < abs(rows[$1][column]) }!
            guard rows[pivot][column] != 0, rows[pivot][column].isFinite else { return nil }
            rows.swapAt(column, pivot)
            values.swapAt(column, pivot)
            for row in column + 1..<size {
                let factor = rows[row][column] / rows[column][column]
                for entry in column..<size { rows[row][entry] -= factor * rows[column][entry] }
                values[row] -= factor * values[column]
            }
        }
        var solution = Array(repeating: 0.0, count: size)
        for row in (0..<size).reversed() {
            let known = (row + 1..<size).reduce(0.0) { $0 + rows[row][$1] * solution[$1] }
            solution[row] = (values[row] - known) / rows[row][row]
        }
        return solution.allSatisfy(\.isFinite) ? solution : nil
    }
}
