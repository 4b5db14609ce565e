/// Small dense linear systems in float32, solved as LAPACK's `sgesv` (which `torch.linalg.solve` calls) does:
/// LU factorization with partial pivoting, multipliers scaled by the pivot's reciprocal, then forward and back
/// substitution.
enum LinearSystem {
    /// x with `matrix · x = rhs` (`matrix` row by row); a singular matrix gives non-finite values, as NaN and
    /// infinity propagate through the factorization.
    static func solve(_ matrix: [[Float]], _ rhs: [Float]) -> [Float] {
        var a = matrix, b = rhs
        let n = b.count
        for column in 0..<n {
            let pivot = (column..<n).max { abs(a[$0][column]) < abs(a[$1][column]) } ?? column
            if pivot != column {
                a.swapAt(pivot, column)
                b.swapAt(pivot, column)
            }
            let reciprocal = 1 / a[column][column]
            for row in column + 1..<n {
                let multiplier = a[row][column] * reciprocal
                for k in column + 1..<n { a[row][k] -= multiplier * a[column][k] }
                b[row] -= multiplier * b[column]
            }
        }
        var x = [Float](repeating: 0, count: n)
        for row in (0..<n).reversed() {
            var value = b[row]
            for k in row + 1..<n { value -= a[row][k] * x[k] }
            x[row] = value / a[row][row]
        }
        return x
    }
}
