// The library's one public module: `import Paradiffuse` gives the whole public API — pipelines, models, schedulers,
// samplers, tokenizers, tensors and the diffusers-folder loaders — from the engine's modules.
@_exported import ParadiffuseLoading
@_exported import ParadiffuseModels
@_exported import ParadiffusePipelines
@_exported import ParadiffuseSamplers
@_exported import ParadiffuseSchedulers
@_exported import ParadiffuseTensors
@_exported import ParadiffuseTokenizers
