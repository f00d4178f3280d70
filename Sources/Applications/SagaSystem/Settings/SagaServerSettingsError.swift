/// A setting of `saga-server` that is missing or invalid; names the variable (and its flag).
public enum SagaServerSettingsError: Error, Hashable, CustomStringConvertible {
    /// A required setting has no value.
    case missing(name: String, flag: String, hint: String)
    /// A setting has a value that cannot be used.
    case invalid(name: String, flag: String, value: String, expected: String)
    /// The broker settings are invalid (e.g. TLS files missing, SASL credentials without a
    /// mechanism); `reason` comes from the Kafka module's validation and never contains a secret.
    case broker(name: String, flag: String, reason: String)
    /// Two settings cannot be used together.
    case conflict(String)

    /// The message printed to the operator.
    public var description: String {
        switch self {
        case .missing(let name, let flag, let hint):
            return "missing setting \(name) (--\(flag)): \(hint)"
        case .invalid(let name, let flag, let value, let expected):
            return "invalid \(name) (--\(flag)) '\(value)': expected \(expected)"
        case .broker(let name, let flag, let reason):
            return "invalid broker setting \(name) (--\(flag)): \(reason)"
        case .conflict(let message):
            return "conflicting settings: \(message)"
        }
    }
}
