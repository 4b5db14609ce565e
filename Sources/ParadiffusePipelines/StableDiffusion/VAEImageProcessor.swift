import ParadiffuseModels
import ParadiffuseTensors

/// diffusers' `VaeImageProcessor.preprocess` of PIL images in the two configurations the Stable Diffusion pipelines
/// build: the image processor (images to `[-1, 1]`) and the inpainting mask processor (`do_normalize=False,
/// do_binarize=True, do_convert_grayscale=True`).
///
/// The size is `height` and `width` when given, else the first image's; either is rounded down to a multiple of
/// the VAE factor (`get_default_height_width`). Every image of another size is resized to it as `resize` does
/// (`resize_mode` "default": PIL's Lanczos, `RGBImage.resized(width:height:)`); masks are then converted to gray
/// as PIL's `convert("L")`. Samples become `x / 255` in float32, then `2x − 1` (images) or 0 below 0.5 and 1 from
/// it (masks). Gray images are repeated as R, G and B, which diffusers, expecting RGB images, would not.
struct VAEImageProcessor {
    enum Kind {
        case image
        case mask
    }

    let kind: Kind
    let vaeScaleFactor: Int

    /// `[N, 3, H, W]` (images) or `[N, 1, H, W]` (masks); `parameter` names the images in errors.
    func preprocess(_ images: [RGBImage], height: Int? = nil, width: Int? = nil, parameter: String) throws -> Tensor {
        guard let first = images.first else {
            throw ModelError.invalidInput(parameter: parameter, reason: "no image given")
        }
        let height = try roundedSide(height ?? first.height, name: "height", parameter: parameter)
        let width = try roundedSide(width ?? first.width, name: "width", parameter: parameter)
        return Tensor.concatenatingBatches(images.map { image in
            let resized = image.width == width && image.height == height ? image : image.resized(width: width, height: height)
            return tensor(of: resized)
        })
    }

    /// `side` less its remainder modulo the VAE factor, checked to leave 1 to 16384 pixels.
    private func roundedSide(_ side: Int, name: String, parameter: String) throws -> Int {
        let rounded = side - side % vaeScaleFactor
        guard rounded > 0 else {
            throw ModelError.invalidInput(parameter: parameter, reason: "the \(name) \(side) rounded down to a "
                + "multiple of \(vaeScaleFactor), the VAE's downsampling factor, leaves no pixel")
        }
        guard rounded <= StableDiffusionPipeline.largestImageSide else {
            throw ModelError.invalidInput(parameter: parameter, reason:
                "the \(name) is \(rounded); it must be at most \(StableDiffusionPipeline.largestImageSide)")
        }
        return rounded
    }

    private func tensor(of image: RGBImage) -> Tensor {
        switch kind {
        case .image:
            let (rgb, plane) = (image.rgb, image.width * image.height)
            return Tensor(shape: [1, 3, image.height, image.width], scalars: (0..<3 * plane).map { index in
                2 * (Float(rgb.pixels[index % plane * 3 + index / plane]) / 255) - 1
            })
        case .mask:
            return Tensor(shape: [1, 1, image.height, image.width],
                          scalars: image.gray.pixels.map { Float($0) / 255 < 0.5 ? 0 : 1 })
        }
    }
}
