import Foundation

/// The parsers and validators fed untrusted bytes, each a libFuzzer target (`make fuzz`), and the replay of their
/// corpora and past crashes in the tests. A target must never trap, hang or allocate without bound on any input;
/// throwing an error is its normal answer to a bad one.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// Any JSON file: `JSONValue.parse`.
    case json
    /// A whole safetensors file: header, tensor entries, coverage of the data section, every tensor read.
    case safetensors
    /// A `config.json` read as each model configuration (UNet2D, UNet2DCondition, AutoencoderKL, CLIP, DiT).
    case modelConfig = "model-config"
    /// A `scheduler_config.json` read by each of the 14 schedulers, then set to a few step counts.
    case schedulerConfig = "scheduler-config"
    /// The files of a tokenizer folder, the input split into them (`TokenizerFolderInput`).
    case tokenizerFiles = "tokenizer-files"
    /// A prompt tokenized, cut, padded and decoded by the CLIP tokenizer of the fixtures.
    case prompt
    /// A PNG file decoded with its text chunks.
    case png
    /// A JPEG file decoded.
    case jpeg

    /// Runs the target on one input; errors thrown for bad input are swallowed, anything else is a finding.
    public func run(_ data: Data) {
        do {
            switch self {
            case .json: try JSONFuzzing.run(data)
            case .safetensors: try SafetensorsFuzzing.run(data)
            case .modelConfig: ModelConfigFuzzing.run(data)
            case .schedulerConfig: try SchedulerConfigFuzzing.run(data)
            case .tokenizerFiles: try TokenizerFilesFuzzing.run(data)
            case .prompt: PromptFuzzing.run(data)
            case .png: try PNGFuzzing.run(data)
            case .jpeg: try JPEGFuzzing.run(data)
            }
        } catch {}
    }

    /// Where each fuzzed input is said to come from, in error messages.
    static let source = URL(fileURLWithPath: "/fuzz-input")
}
