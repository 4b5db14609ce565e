import Foundation
import ParadiffuseLoading

/// What a diffusers model folder holds: its components and, for each component with safetensors weights, how
/// many tensors and parameters they have, their dtypes, their size, and the memory they take as float32.
public struct ModelInfo: Sendable {
    public struct Component: Sendable {
        public let name: String
        /// The class that `model_index.json` (or a single component's `config.json`) names, e.g. "UNet2DModel".
        public let className: String?
        /// "diffusers", "transformers", ...; nil for a single component folder.
        public let library: String?
        /// Nil for components without weights (schedulers, tokenizers), or without weights of the requested variant.
        public let weights: Weights?
        /// Weight files in the component folder when none was picked, e.g. other variants or PyTorch `.bin` files.
        public let otherWeightFiles: [String]
    }

    public struct Weights: Sendable {
        /// The safetensors file, or the index of a sharded set.
        public let url: URL
        public let tensorCount: Int
        public let parameterCount: Int
        /// Bytes of tensor data as stored.
        public let byteCount: Int
        /// Bytes the tensors take once floating-point ones are converted to float32, as Paradiffuse loads them.
        public let float32ByteCount: Int
        /// How many tensors have each dtype ("F32", "F16", "BF16", ...).
        public let tensorCountByDType: [String: Int]

        init(store: WeightStore) throws {
            url = store.url
            var tensorCountByDType: [String: Int] = [:]
            var (parameterCount, byteCount, float32ByteCount) = (0, 0, 0)
            for name in store.tensorNames {
                let info = try store.info(named: name)
                tensorCountByDType[info.dtype, default: 0] += 1
                parameterCount += info.elementCount
                byteCount += info.byteCount
                float32ByteCount += info.elementType.convertsToFloat32 ? 4 * info.elementCount : info.byteCount
            }
            tensorCount = store.tensorNames.count
            self.parameterCount = parameterCount
            self.byteCount = byteCount
            self.float32ByteCount = float32ByteCount
            self.tensorCountByDType = tensorCountByDType
        }
    }

    public let url: URL
    /// The pipeline class from `model_index.json`, or nil for a single component folder.
    public let pipelineClassName: String?
    public let diffusersVersion: String?
    /// Components sorted by name.
    public let components: [Component]

    /// Reads the folder's configs and the headers of its safetensors files (not the tensor data).
    /// `variant` picks weights such as `diffusion_pytorch_model.fp16.safetensors`.
    public init(folder url: URL, variant: String? = nil) throws {
        self.url = url
        let folder = try DiffusersFolder(url: url)
        switch folder.kind {
        case let .pipeline(index):
            pipelineClassName = index.className
            diffusersVersion = index.diffusersVersion
            components = try index.components.sorted { $0.key < $1.key }.map { name, component in
                try Self.component(name: name, className: component.className, library: component.library,
                                   folder: folder.componentURL(name), variant: variant)
            }
        case let .component(config):
            pipelineClassName = nil
            diffusersVersion = try config.optionalValue("_diffusers_version")
            components = [try Self.component(name: url.lastPathComponent, className: config.className, library: nil,
                                             folder: url, variant: variant)]
        }
    }

    public var parameterCount: Int { components.reduce(0) { $0 + ($1.weights?.parameterCount ?? 0) } }
    public var byteCount: Int { components.reduce(0) { $0 + ($1.weights?.byteCount ?? 0) } }
    public var float32ByteCount: Int { components.reduce(0) { $0 + ($1.weights?.float32ByteCount ?? 0) } }

    private static let weightFileExtensions: Set = ["safetensors", "bin", "ckpt", "pt", "pth"]

    private static func component(name: String, className: String?, library: String?, folder: URL,
                                  variant: String?) throws -> Component {
        let weightsURL: URL
        do {
            weightsURL = try WeightStore.weightsURL(inComponentFolder: folder, variant: variant)
        } catch LoadingError.missingWeights {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            let weightFiles = files.filter { weightFileExtensions.contains(URL(fileURLWithPath: $0).pathExtension) }
            return Component(name: name, className: className, library: library, weights: nil,
                             otherWeightFiles: weightFiles.sorted())
        }
        return Component(name: name, className: className, library: library,
                         weights: try Weights(store: WeightStore(url: weightsURL)), otherWeightFiles: [])
    }
}

extension ModelInfo: CustomStringConvertible {
    /// A report for the terminal, one line per component and one per weights file.
    public var description: String {
        var header = url.path
        if let pipelineClassName { header += ": \(pipelineClassName)" }
        if let diffusersVersion { header += " (diffusers \(diffusersVersion))" }
        let nameWidth = max(components.map(\.name.count).max() ?? 0, "total".count)
        func padded(_ name: String) -> String { name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) }
        var lines = [header]
        for component in components {
            let kind = [component.className, component.library.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ")
            lines.append("  \(padded(component.name))  \(kind)")
            if let other = component.otherWeightFiles.first {
                let more = component.otherWeightFiles.count > 1 ? " and \(component.otherWeightFiles.count - 1) more" : ""
                lines.append("  \(padded(""))  no weights of the requested variant; the folder holds \(other)\(more)")
            }
            guard let weights = component.weights else { continue }
            let dtypes = weights.tensorCountByDType.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }
            lines.append("  \(padded(""))  \(relativePath(weights.url)): \(weights.tensorCount) tensors · "
                + "\(Self.formatCount(weights.parameterCount)) parameters · \(dtypes.joined(separator: ", ")) · "
                + "\(Self.formatBytes(weights.byteCount))")
        }
        lines.append("  \(padded("total"))  \(Self.formatCount(parameterCount)) parameters · "
            + "\(Self.formatBytes(byteCount)) of weights · about \(Self.formatBytes(float32ByteCount)) in memory as float32")
        return lines.joined(separator: "\n")
    }

    private func relativePath(_ file: URL) -> String {
        let base = url.standardizedFileURL.path + "/"
        let path = file.standardizedFileURL.path
        return path.hasPrefix(base) ? String(path.dropFirst(base.count)) : path
    }

    /// `950`, `12.3K`, `35.7M`, `1.2B`.
    static func formatCount(_ count: Int) -> String {
        scaled(Double(count), units: ["", "K", "M", "B", "T"], separator: "")
    }

    /// `512 B`, `143.1 MB`, `3.4 GB` (powers of 1000).
    static func formatBytes(_ count: Int) -> String {
        scaled(Double(count), units: ["B", "KB", "MB", "GB", "TB"], separator: " ")
    }

    private static func scaled(_ value: Double, units: [String], separator: String) -> String {
        var value = value
        var unit = 0
        while value >= 999.95 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(Int(value))\(separator)\(units[0])" : String(format: "%.1f", value) + separator + units[unit]
    }
}
