import Foundation
import ParadiffuseLoading
import ParadiffuseSchedulers

/// The scheduler of one generation from a pipeline folder, as diffusers' pipelines set it up.
enum PipelineScheduler {
    /// `kind` (nil: the one the folder's `config` names, DDPM without one), configured from `config` and
    /// `settings` as `from_config` does, set to `steps` (nil: every training step for DDPM, else 50), and checked
    /// to start from pure noise (`StartingTimestep`).
    static func make(_ kind: SchedulerKind?, config: JSONConfig?, settings: SchedulerSettings, eta: Double,
                     steps: Int?, source: URL) throws -> (scheduler: any Scheduler, name: String) {
        let kind = try kind ?? config.map { try SchedulerKind(named: try $0.value("_class_name", as: String.self)) } ?? .ddpm
        var scheduler = try kind.makeScheduler(config: config, settings: settings, options: StepOptions(eta: eta),
                                               source: source)
        let steps = try steps ?? (kind == .ddpm ? config?.value("num_train_timesteps", default: 1000) ?? 1000 : 50)
        try scheduler.setTimesteps(steps)
        try StartingTimestep.require(scheduler, name: kind.rawValue, steps: steps, config: config)
        return (scheduler, kind.rawValue)
    }
}
