import ParadiffuseLoading
import ParadiffuseSchedulers

/// Sampling from pure noise needs a schedule that starts high in the training timesteps. With `leading` or
/// `linspace` spacing, one step is timestep 0 (or `steps_offset`): the model sees noise as an almost clean sample and
/// the image stays noise — diffusers gives the same, silently. Such a schedule is refused, naming the way out.
enum StartingTimestep {
    static func require(_ scheduler: any Scheduler, name: String, steps: Int, config: JSONConfig?) throws {
        let trainTimesteps = (try? config?.value("num_train_timesteps", default: 1000)) ?? 1000
        guard let first = scheduler.timesteps.first else { return }
        let start = scheduler.modelTimestep(at: first)
        guard start < Float(trainTimesteps) / 2 else { return }
        throw GenerationError.scheduleStartsNearlyClean(scheduler: name, steps: steps, timestep: start,
                                                        trainTimesteps: trainTimesteps)
    }
}
