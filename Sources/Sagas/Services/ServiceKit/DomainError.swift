import SagaCore

/// A domain rule refused a request made through a service's API (not a saga command: those get
/// business-failure replies).
public struct DomainError: Error, Hashable, CustomStringConvertible {
    /// A reason code, e.g. `VPA_INVALID`.
    public var code: String
    /// What was wrong, with the input.
    public var message: String

    /// Creates an error.
    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    /// A readable description.
    public var description: String { "\(code): \(message)" }
}
