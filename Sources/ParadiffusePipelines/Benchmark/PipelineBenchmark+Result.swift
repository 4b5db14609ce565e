import Foundation

extension PipelineBenchmark {
    /// What one component measured.
    public struct ComponentTiming: Sendable {
        public let component: Component
        /// Each timed call, after the warm-up call.
        public let milliseconds: [Double]
        public let loadSeconds: Double
        /// The output of one call: `[1, 77, hidden]` prompt embeddings, `[batch, C, h, w]` noise predictions,
        /// `[1, 3, height, width]` images, `[1, C, h, w]` latent means.
        public let outputShape: [Int]
        /// The peak resident memory while the component was loaded and run (the process's peak where it cannot be
        /// measured per component).
        public let peakResidentBytes: Int

        public var medianMilliseconds: Double { median(milliseconds) }
    }

    /// The timings of every component run; as JSON, flat keys per component (`text_encoder_ms`,
    /// `unet_forward_ms`, `vae_decode_ms`, `vae_encode_ms`, each with `_ms_all`, `_load_s`, `_peak_rss_bytes` and
    /// `_output_shape` beside it) and the settings.
    public struct Result: Encodable, Sendable {
        public let model: String
        public let width: Int
        public let height: Int
        public let unetBatch: Int
        public let iterations: Int
        public let precision: String
        public let components: [ComponentTiming]

        public subscript(_ component: Component) -> ComponentTiming? {
            components.first { $0.component == component }
        }

        /// The highest of the components' peaks.
        public var peakResidentBytes: Int { components.map(\.peakResidentBytes).max() ?? 0 }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: JSONKey.self)
            try container.encode(model, forKey: "model")
            try container.encode(width, forKey: "width")
            try container.encode(height, forKey: "height")
            try container.encode(unetBatch, forKey: "batch")
            try container.encode(iterations, forKey: "iterations")
            try container.encode(precision, forKey: "precision")
            try container.encode(components.map(\.loadSeconds).reduce(0, +), forKey: "load_s")
            try container.encode(peakResidentBytes, forKey: "peak_rss_bytes")
            for timing in components {
                let prefix = timing.component.jsonPrefix
                try container.encode(timing.medianMilliseconds, forKey: JSONKey(prefix + "_ms"))
                try container.encode(timing.milliseconds, forKey: JSONKey(prefix + "_ms_all"))
                try container.encode(timing.loadSeconds, forKey: JSONKey(prefix + "_load_s"))
                try container.encode(timing.peakResidentBytes, forKey: JSONKey(prefix + "_peak_rss_bytes"))
                try container.encode(timing.outputShape, forKey: JSONKey(prefix + "_output_shape"))
            }
        }
    }

    struct JSONKey: CodingKey, ExpressibleByStringLiteral {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init(stringLiteral name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

extension PipelineBenchmark.Component {
    /// The start of the component's JSON keys; `unet_forward` keeps the key UNet-only benchmarks write.
    var jsonPrefix: String {
        switch self {
        case .textEncoder: "text_encoder"
        case .unet: "unet_forward"
        case .vaeDecode: "vae_decode"
        case .vaeEncode: "vae_encode"
        }
    }
}
