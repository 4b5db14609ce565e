/// The version of this Paradiffuse, as `paradiffuse --version` prints it and PNG files and `info` record it.
/// Semantic versioning; CHANGELOG.md says what each version brought.
public enum ParadiffuseVersion {
    public static let current = "0.5.0"
}
