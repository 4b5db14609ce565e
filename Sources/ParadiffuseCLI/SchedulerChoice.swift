import ArgumentParser
import Paradiffuse

/// A `--scheduler` value: Paradiffuse's names (`ddim`, `dpm-solver`, `euler-a`, …) or the names other tools give
/// the same schedulers — stable-diffusion.cpp (`euler_a`, `dpm++2m`, `dpm2`), the A1111 web UI (`DPM++ 2M
/// Karras`, `Euler a`, `PLMS`), ComfyUI (`dpmpp_2m`, `euler_ancestral`, `uni_pc`) and k-diffusion (`k_lms`). Case,
/// spaces, dashes and underscores do not matter; a `karras` suffix asks for Karras sigmas.
struct SchedulerChoice: ExpressibleByArgument, Equatable {
    let scheduler: SchedulerKind
    let karras: Bool

    init?(argument: String) {
        var name = Self.normalized(argument)
        let karrasSuffix = "_karras"
        karras = name.hasSuffix(karrasSuffix)
        if karras { name.removeLast(karrasSuffix.count) }
        guard let scheduler = Self.byName[name] else { return nil }
        self.scheduler = scheduler
    }

    /// Lowercased, with runs of spaces, dashes and underscores as one underscore.
    static func normalized(_ name: String) -> String {
        name.lowercased().split(whereSeparator: { " -_".contains($0) }).joined(separator: "_")
    }

    /// Every accepted name, normalized, and the scheduler it names.
    static let byName: [String: SchedulerKind] = {
        var names = Dictionary(uniqueKeysWithValues: SchedulerKind.allCases.map { (normalized($0.rawValue), $0) })
        let aliases: [(String, SchedulerKind)] = [
            ("euler_ancestral", .eulerAncestral), ("k_euler", .euler), ("k_euler_a", .eulerAncestral),
            ("k_euler_ancestral", .eulerAncestral), ("k_heun", .heun), ("k_lms", .lms),
            ("dpm2", .kdpm2), ("dpm_2", .kdpm2), ("k_dpm_2", .kdpm2),
            ("dpm2_a", .kdpm2Ancestral), ("dpm_2_a", .kdpm2Ancestral), ("dpm_2_ancestral", .kdpm2Ancestral),
            ("k_dpm_2_a", .kdpm2Ancestral),
            ("dpm++2m", .dpmSolver), ("dpm++_2m", .dpmSolver), ("dpmpp_2m", .dpmSolver), ("dpmpp2m", .dpmSolver),
            ("dpm++2s", .dpmSolverSinglestep), ("dpm++_2s", .dpmSolverSinglestep), ("dpmpp_2s", .dpmSolverSinglestep),
            ("uni_pc", .unipc), ("plms", .pndm),
        ]
        for (alias, scheduler) in aliases { names[alias] = scheduler }
        return names
    }()
}
