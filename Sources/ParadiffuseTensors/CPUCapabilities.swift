import CDNNL
import CKernels
import Foundation

/// What this CPU computes natively, detected once per process: the features CPUID reports, the instruction set
/// oneDNN runs (which honours `ONEDNN_MAX_CPU_ISA`), and the level the project's own kernels dispatch to — the lower
/// of the two, further capped by `PARADIFFUSE_MAX_CPU_ISA` (which caps oneDNN the same way), so that one machine
/// can run every path the machines below it run.
public struct CPUCapabilities: Sendable, CustomStringConvertible {
    /// The instruction-set levels kernels are written for, each including the ones below it.
    public enum InstructionSet: Int, Comparable, CaseIterable, Sendable, CustomStringConvertible {
        /// Baseline code for the architecture.
        case portable
        /// AVX2 and FMA.
        case avx2
        /// AVX-512 F, BW, VL and DQ.
        case avx512
        /// AVX-512 with AVX512-BF16 (bfloat16 dot products).
        case avx512BFloat16
        /// AVX512-BF16 and AMX tiles (bfloat16 and int8), permitted by the operating system.
        case amx

        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

        /// The name `PARADIFFUSE_MAX_CPU_ISA` takes.
        public var description: String {
            switch self {
            case .portable: "portable"
            case .avx2: "avx2"
            case .avx512: "avx512"
            case .avx512BFloat16: "avx512_bf16"
            case .amx: "amx"
            }
        }

        /// The level a `PARADIFFUSE_MAX_CPU_ISA` (or `ONEDNN_MAX_CPU_ISA`-style) name names, case-insensitively.
        public init?(named name: String) {
            switch name.lowercased() {
            case "portable", "sse41", "sse4.1", "default_portable": self = .portable
            case "avx2", "avx2_vnni", "avx2_vnni_2": self = .avx2
            case "avx512", "avx512_core", "avx512_core_vnni": self = .avx512
            case "avx512_bf16", "avx512_core_bf16", "avx512_core_fp16": self = .avx512BFloat16
            case "amx", "avx512_core_amx", "avx512_core_amx_fp16": self = .amx
            default: return nil
            }
        }

        /// The kernels' C level.
        var kernelLevel: pd_isa {
            switch self {
            case .portable: PD_ISA_PORTABLE
            case .avx2: PD_ISA_AVX2
            case .avx512: PD_ISA_AVX512
            case .avx512BFloat16: PD_ISA_AVX512_BF16
            case .amx: PD_ISA_AMX
            }
        }

        /// The oneDNN instruction set that runs no more than this level.
        var oneDNNLimit: dnnl_cpu_isa_t {
            switch self {
            case .portable: dnnl_cpu_isa_sse41
            case .avx2: dnnl_cpu_isa_avx2
            case .avx512: dnnl_cpu_isa_avx512_core_vnni
            case .avx512BFloat16: dnnl_cpu_isa_avx512_core_bf16
            case .amx: dnnl_cpu_isa_avx512_core_amx
            }
        }

        /// The level of kernels a oneDNN instruction set runs.
        init(oneDNN isa: dnnl_cpu_isa_t) {
            switch isa.rawValue {
            case dnnl_cpu_isa_avx512_core_amx.rawValue...: self = .amx
            case dnnl_cpu_isa_avx512_core_bf16.rawValue...: self = .avx512BFloat16
            case dnnl_cpu_isa_avx512_core.rawValue...: self = .avx512
            case dnnl_cpu_isa_avx2.rawValue...: self = .avx2
            default: self = .portable
            }
        }

        /// The level the kernels dispatch to in this process.
        public static var current: InstructionSet { CPUCapabilities.current.instructionSet }
    }

    /// The CPU's model name (`/proc/cpuinfo`), or "unknown CPU".
    public let model: String
    /// The features that choose kernels, as `/proc/cpuinfo` names them (`avx2`, `avx512_bf16`, `amx_tile`, ...).
    public let features: [String]
    /// The level the CPU itself supports.
    public let cpuInstructionSet: InstructionSet
    /// The instruction set oneDNN runs, in oneDNN's name (e.g. `avx512_core_bf16`).
    public let oneDNNInstructionSet: String
    /// The level the project's kernels dispatch to: the CPU's, oneDNN's and the cap's lowest.
    public let instructionSet: InstructionSet
    /// The value of `PARADIFFUSE_MAX_CPU_ISA` when it names no level (the cap is then ignored).
    public let invalidCap: String?
    /// Whether oneDNN multiplies int8 with VNNI dot products (`vpdpbusd`, AVX512-VNNI or AVX-VNNI). Without them its
    /// kernels add int8 products two by two in 16 bits (`vpmaddubsw`), which saturates unless weights keep to 7 bits.
    public let hasInt8DotProducts: Bool

    /// The threads oneDNN and the kernels run on now.
    public static var threads: Int { computeThreads }

    /// Whether models can compute in bfloat16 here: bfloat16 dot products in oneDNN and in the kernels.
    public var computesBFloat16: Bool { instructionSet >= .avx512BFloat16 }

    /// The precisions a model computes in here: `bf16` only with bfloat16 arithmetic.
    public var nativePrecisions: [Precision] { computesBFloat16 ? [.float32, .bfloat16] : [.float32] }

    /// This process's capabilities; the first use applies `PARADIFFUSE_MAX_CPU_ISA` to oneDNN, so it comes before
    /// oneDNN's first primitive (`DNNL.engine` asks for it).
    public static let current = CPUCapabilities(environment: ProcessInfo.processInfo.environment)

    private init(environment: [String: String]) {
        let detected = pd_detect_cpu_features()
        cpuInstructionSet = InstructionSet(kernel: pd_cpu_isa())
        features = Self.featureNames(detected)
        model = Self.modelName() ?? "unknown CPU"
        var cap: InstructionSet?
        if let name = environment["PARADIFFUSE_MAX_CPU_ISA"], !name.isEmpty {
            cap = InstructionSet(named: name)
            invalidCap = cap == nil ? name : nil
        } else {
            invalidCap = nil
        }
        if let cap { _ = dnnl_set_max_cpu_isa(cap.oneDNNLimit) }
        let oneDNN = dnnl_get_effective_cpu_isa()
        oneDNNInstructionSet = Self.name(of: oneDNN)
        // oneDNN's avx2_vnni and avx2_vnni_2 set bit 0x8, avx512_core_vnni and every level above it bit 0x40.
        hasInt8DotProducts = oneDNN.rawValue & 0x48 != 0
        instructionSet = min(cpuInstructionSet, InstructionSet(oneDNN: oneDNN), cap ?? .amx)
    }

    /// What reports and benchmark files record of the capabilities.
    public struct Summary: Codable, Sendable, Equatable {
        public let model: String
        public let features: [String]
        /// The level the kernels dispatched to, and the instruction set oneDNN ran.
        public let kernels: String
        public let onednn: String
    }

    public var summary: Summary {
        Summary(model: model, features: features, kernels: instructionSet.description, onednn: oneDNNInstructionSet)
    }

    /// `AMD EPYC 9R14 · avx2 fma avx512f ... · kernels avx512_bf16 · oneDNN avx512_core_bf16`.
    public var description: String {
        var text = "\(model) · \(features.isEmpty ? "no vector extensions" : features.joined(separator: " "))"
            + " · kernels \(instructionSet) · oneDNN \(oneDNNInstructionSet)"
        if instructionSet < cpuInstructionSet { text += " (capped from \(cpuInstructionSet))" }
        return text
    }

    private static func featureNames(_ f: pd_cpu_features) -> [String] {
        let flags: [(String, Int32)] = [
            ("avx2", f.avx2), ("fma", f.fma), ("avx512f", f.avx512f), ("avx512bw", f.avx512bw),
            ("avx512vl", f.avx512vl), ("avx512dq", f.avx512dq), ("avx512_vnni", f.avx512_vnni),
            ("avx512_bf16", f.avx512_bf16), ("avx_vnni", f.avx_vnni), ("amx_tile", f.amx_tile),
            ("amx_bf16", f.amx_bf16), ("amx_int8", f.amx_int8),
        ]
        return flags.filter { $0.1 != 0 }.map(\.0)
    }

    private static func modelName() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    private static func name(of isa: dnnl_cpu_isa_t) -> String {
        let names: [(dnnl_cpu_isa_t, String)] = [
            (dnnl_cpu_isa_sse41, "sse41"), (dnnl_cpu_isa_avx, "avx"), (dnnl_cpu_isa_avx2, "avx2"),
            (dnnl_cpu_isa_avx2_vnni, "avx2_vnni"), (dnnl_cpu_isa_avx2_vnni_2, "avx2_vnni_2"),
            (dnnl_cpu_isa_avx512_core, "avx512_core"), (dnnl_cpu_isa_avx512_core_vnni, "avx512_core_vnni"),
            (dnnl_cpu_isa_avx512_core_bf16, "avx512_core_bf16"), (dnnl_cpu_isa_avx512_core_fp16, "avx512_core_fp16"),
            (dnnl_cpu_isa_avx512_core_amx, "avx512_core_amx"), (dnnl_cpu_isa_avx512_core_amx_fp16, "avx512_core_amx_fp16"),
        ]
        return names.first { $0.0 == isa }?.1 ?? "isa 0x\(String(isa.rawValue, radix: 16))"
    }
}

extension CPUCapabilities.InstructionSet {
    init(kernel level: pd_isa) {
        self = Self.allCases.first { $0.kernelLevel == level } ?? .portable
    }
}
