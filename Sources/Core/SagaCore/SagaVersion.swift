/// The version of this package, in the one place it is written. `sagactl --version` and
/// `saga-server --version` print it; the top entry of `CHANGELOG.md` must name it (a test checks).
public enum SagaVersion {
    /// The current version (semantic versioning).
    public static let current = "0.10.0"
}
