/// What the processes of a run divide among themselves in each batched denoiser call.
public enum BatchSplit: String, Sendable, CaseIterable {
    /// The timesteps of the batch (a parallel sampler's window): each process denoises the latents of a slice of
    /// them, guidance included, and the denoised outputs are gathered.
    case window
    /// The network evaluations of classifier-free guidance (conditional and unconditional halves): each process
    /// evaluates a slice of them, and every process combines the gathered outputs.
    case cfg
    /// `cfg` when the denoiser uses guidance and the batch has fewer timesteps than there are processes, else `window`.
    case auto
}
