import Foundation

/// The small class-conditional digits model that ships with Paradiffuse (Tools/train_default_model.py).
public enum DefaultModel {
    public static var url: URL {
        Bundle.module.resourceURL!.appendingPathComponent("DefaultModel", isDirectory: true)
    }

    /// The guidance scale its samples look best with (see DefaultModel/TRAINING.md).
    public static let guidance: Float = 3
}
