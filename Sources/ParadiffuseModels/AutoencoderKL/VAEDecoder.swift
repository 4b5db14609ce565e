import ParadiffuseTensors

/// diffusers' VAE `Decoder`: latents to images, each spatial size multiplied by the downsampling factor.
/// Channels-last in and out.
struct VAEDecoder {
    let convIn: Convolution2D
    let midBlock: VAEMidBlock
    let upBlocks: [VAELevelBlock]
    let normOut: GroupNorm
    let convOut: Convolution2D

    init(_ weights: ModelWeights, configuration: AutoencoderKLConfiguration) throws {
        let reversed = Array(configuration.blockOutChannels.reversed())
        let settings = VAEBlockSettings(groups: configuration.normGroups)
        convIn = try Convolution2D(weights.scoped("conv_in"), input: configuration.latentChannels, output: reversed[0],
                                   kernel: 3, padding: 1)
        midBlock = try VAEMidBlock(weights.scoped("mid_block"), settings: settings, channels: reversed[0],
                                   withAttention: configuration.midBlockAddsAttention)
        upBlocks = try reversed.indices.map { index in
            try VAELevelBlock(weights.scoped("up_blocks.\(index)"), settings: settings,
                              input: reversed[max(index - 1, 0)], output: reversed[index],
                              layers: configuration.layersPerBlock + 1, resampling: index < reversed.count - 1 ? .up : nil)
        }
        normOut = try settings.norm(weights.scoped("conv_norm_out"), channels: reversed.last!)
        convOut = try Convolution2D(weights.scoped("conv_out"), input: reversed.last!,
                                    output: configuration.outChannels, kernel: 3, padding: 1)
    }

    func callAsFunction(_ latents: Tensor) -> Tensor {
        let hidden = upBlocks.reduce(midBlock(convIn(latents))) { hidden, block in block(hidden) }
        return convOut(normOut(hidden, silu: true))
    }
}
