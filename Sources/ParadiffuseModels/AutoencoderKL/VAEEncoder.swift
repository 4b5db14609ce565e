import ParadiffuseTensors

/// diffusers' VAE `Encoder`: images to the moments (mean and log-variance, `2 · latent` channels) of the latent
/// distribution, each spatial size divided by the downsampling factor. Channels-last in and out.
struct VAEEncoder {
    let convIn: Convolution2D
    let downBlocks: [VAELevelBlock]
    let midBlock: VAEMidBlock
    let normOut: GroupNorm
    let convOut: Convolution2D

    init(_ weights: ModelWeights, configuration: AutoencoderKLConfiguration) throws {
        let channels = configuration.blockOutChannels
        let settings = VAEBlockSettings(groups: configuration.normGroups)
        convIn = try Convolution2D(weights.scoped("conv_in"), input: configuration.inChannels, output: channels[0],
                                   kernel: 3, padding: 1)
        downBlocks = try channels.indices.map { index in
            try VAELevelBlock(weights.scoped("down_blocks.\(index)"), settings: settings,
                              input: channels[max(index - 1, 0)], output: channels[index],
                              layers: configuration.layersPerBlock, resampling: index < channels.count - 1 ? .down : nil)
        }
        midBlock = try VAEMidBlock(weights.scoped("mid_block"), settings: settings, channels: channels.last!,
                                   withAttention: configuration.midBlockAddsAttention)
        normOut = try settings.norm(weights.scoped("conv_norm_out"), channels: channels.last!)
        convOut = try Convolution2D(weights.scoped("conv_out"), input: channels.last!,
                                    output: 2 * configuration.latentChannels, kernel: 3, padding: 1)
    }

    func callAsFunction(_ images: Tensor) -> Tensor {
        let hidden = downBlocks.reduce(convIn(images)) { hidden, block in block(hidden) }
        return convOut(normOut(midBlock(hidden), silu: true))
    }
}
