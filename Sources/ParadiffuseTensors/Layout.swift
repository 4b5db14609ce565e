/// How a tensor's logical shape is laid out in memory.
///
/// Shapes are always logical (`[N, C, H, W]` for images). `channelsLast` stores a 4-D tensor as
/// N, H, W, C — the layout oneDNN's fastest convolutions read and write — without changing its shape.
public enum Layout: Sendable, Equatable {
    case rowMajor
    case channelsLast
}
