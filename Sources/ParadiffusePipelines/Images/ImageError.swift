import Foundation
import ParadiffuseTensors

/// A problem converting, encoding or reading an image (writing one fails with `FileWriteError`). Messages name the file or text chunk at fault.
public enum ImageError: Error, Equatable, DescribedError {
    case unsupportedTensorShape([Int])
    case unsupportedTensorDType(String)
    case invalidTextKeyword(String, reason: String)
    case invalidText(keyword: String, reason: String)
    case encodingFailed(reason: String)
    case unreadableFile(URL, reason: String)
    case invalidPNG(URL, reason: String)
    case invalidJPEG(URL, reason: String)
    case unsupportedFormat(URL)

    public var description: String {
        switch self {
        case let .unsupportedTensorShape(shape):
            "cannot make an image of a tensor of shape \(shape): expected [C, H, W] or [1, C, H, W] "
                + "with 1 (gray) or 3 (RGB) channels"
        case let .unsupportedTensorDType(dtype):
            "cannot make an image of a \(dtype) tensor: expected float32"
        case let .invalidTextKeyword(keyword, reason):
            "PNG text keyword '\(keyword)' \(reason)"
        case let .invalidText(keyword, reason):
            "PNG text chunk '\(keyword)': \(reason)"
        case let .encodingFailed(reason):
            "cannot encode PNG: \(reason)"
        case let .unreadableFile(url, reason):
            "cannot read \(url.path): \(reason)"
        case let .invalidPNG(url, reason):
            "\(url.path) is not a valid PNG image: \(reason)"
        case let .invalidJPEG(url, reason):
            "\(url.path) is not a readable JPEG image: \(reason)"
        case let .unsupportedFormat(url):
            "\(url.path) is neither a PNG nor a JPEG image (the formats read): its first bytes are no PNG signature "
                + "and no JPEG start-of-image marker"
        }
    }
}
