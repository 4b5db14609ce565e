@_spi(Benchmarking) import ParadiffuseTensors
import Foundation

/// Times one attention shape through `ScaledDotProductAttention.compute` (float32 or bfloat16 arithmetic) or its
/// former oneDNN matmul + softmax path (`unfused`) and prints a JSON line with the per-call times (ms) and
/// the process's peak resident memory, for Tools/bench/compare_attention.py:
/// `AttentionBenchmark <f32|bf16|unfused> <batch> <queries> <keys> <heads> <head size> <iterations> [causal]`
struct Options {
    let path: String
    let batch, queries, keys, heads, headSize, iterations: Int
    let causal: Bool

    init(_ arguments: [String]) throws {
        let numbers = arguments.dropFirst(2).prefix(6).compactMap(Int.init)
        guard arguments.count >= 8, numbers.count == 6,
              ["f32", "bf16", "unfused"].contains(arguments[1]) else {
            throw UsageError()
        }
        path = arguments[1]
        (batch, queries, keys, heads, headSize, iterations) =
            (numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], numbers[5])
        causal = arguments.count > 8 && arguments[8] == "causal"
    }
}

struct UsageError: Error, CustomStringConvertible {
    let description = "usage: AttentionBenchmark <f32|bf16|unfused> <batch> <queries> <keys> <heads> "
        + "<head size> <iterations> [causal]"
}

func peakResidentMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

func randomTensor(_ shape: [Int], seed: UInt64) -> Tensor {
    var generator = TorchGenerator(seed: seed)
    return generator.randn(shape)
}

do {
    let options = try Options(CommandLine.arguments)
    let width = options.heads * options.headSize
    let query = randomTensor([options.batch, options.queries, width], seed: 1)
    let key = randomTensor([options.batch, options.keys, width], seed: 2)
    let value = randomTensor([options.batch, options.keys, width], seed: 3)
    let inputsMiB = peakResidentMiB()
    func attend() -> Tensor {
        switch options.path {
        case "unfused":
            ScaledDotProductAttention.unfused(query: query, key: key, value: value, heads: options.heads,
                                              causal: options.causal)
        default:
            ScaledDotProductAttention.compute(query: query, key: key, value: value, heads: options.heads,
                                              causal: options.causal,
                                              precision: options.path == "bf16" ? .bfloat16 : .float32)
        }
    }
    var milliseconds = [Double]()
    for _ in 0...options.iterations {
        let start = DispatchTime.now().uptimeNanoseconds
        _ = attend()
        milliseconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    milliseconds.removeFirst()
    print("{\"path\": \"\(options.path)\", \"ms\": \(milliseconds), \"peak_mib\": \(peakResidentMiB()), "
        + "\"inputs_peak_mib\": \(inputsMiB)}")
} catch {
    FileHandle.standardError.write("\(error)\n".data(using: .utf8)!)
    exit(2)
}
