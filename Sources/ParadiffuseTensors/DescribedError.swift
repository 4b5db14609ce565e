import Foundation

/// An error whose `description` is the whole message, naming the file, key or parameter at fault; Foundation's
/// `localizedDescription` (what apps show) gives the same text.
public protocol DescribedError: LocalizedError, CustomStringConvertible {}

extension DescribedError {
    public var errorDescription: String? { description }
}
