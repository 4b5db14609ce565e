import Foundation
import Testing
@testable import ParadiffuseTensors

struct GEGLUTests {
    /// The kernels' vectorized erf against the C library's double-precision one, over the range where GELU bends
    /// and well past it (GELU(x) is x or 0 there), including rows longer than one vector and a ragged tail.
    @Test func gegluMatchesExactErfGelu() {
        let width = 37, rows = 3
        let gates = (0..<(rows * width)).map { Float($0) / Float(rows * width - 1) * 20 - 10 }
        let values = testValues(rows * width, seed: 7).map { 2 * $0 }
        var scalars = [Float]()
        for row in 0..<rows {
            scalars += values[(row * width)..<((row + 1) * width)]
            scalars += gates[(row * width)..<((row + 1) * width)]
        }
        let output = Tensor(shape: [rows, 2 * width], scalars: scalars).geglu()
        let expected = zip(values, gates).map { value, gate -> Float in
            let x = Double(gate)
            let cumulativeNormal: Double = 0.5 * (1 + erf(x / 2.0.squareRoot()))
            return Float(Double(value) * x * cumulativeNormal)
        }
        #expect(output.shape == [rows, width])
        let errors = zip(output.scalars, expected).map { abs($0 - $1) / max(1, abs($1)) }
        #expect(errors.max()! < 5e-7)
    }
}
