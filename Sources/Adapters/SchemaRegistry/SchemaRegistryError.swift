/// A failure talking to a schema registry, with what was asked and of which registry.
///
/// Consumers act on ``kind``: an unknown schema id is permanent (the message can never be
/// decoded: dead-letter it), an unavailable registry is transient (retry, and report not ready).
/// ``isRetriable`` says which. Neither the description nor any field ever holds credentials:
/// ``registry`` is the URL without user information, and no header is ever quoted.
public struct SchemaRegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Hashable {
        /// No schema has this id (HTTP 404, error code 40403 on `GET /schemas/ids/{id}`).
        case unknownSchemaID(Int32)
        /// No such subject (error code 40401).
        case subjectNotFound(String)
        /// The subject has no such version (error code 40402).
        case versionNotFound(subject: String, version: String)
        /// The subject has no version with this schema (error code 40403 on a lookup).
        case schemaNotFound(subject: String)
        /// The registry cannot be reached or cannot answer now: connection refused, timeout,
        /// TLS failure, HTTP 5xx or 429. Retry later.
        case unavailable(String)
        /// The registry refused the request (another 4xx: bad credentials, an incompatible
        /// or invalid schema, a read-only registry), with its error code and message.
        case rejected(status: Int, errorCode: Int?, message: String)
        /// The answer is not what the API promises (not JSON, a missing field, a schema that
        /// does not parse, a schema type other than Avro).
        case invalidResponse(String)
        /// The client's configuration is unusable (a bad URL, an unreadable CA file).
        case configuration(String)
    }

    /// What went wrong.
    public var kind: Kind
    /// The request, e.g. `GET /schemas/ids/7` (empty for configuration errors).
    public var operation: String
    /// The registry's base URL, without credentials.
    public var registry: String

    /// Creates an error.
    public init(_ kind: Kind, operation: String, registry: String) {
        self.kind = kind
        self.operation = operation
        self.registry = registry
    }

    /// True when trying again later may succeed (the registry is unavailable); false when the
    /// answer is definite (unknown id, rejected request, bad configuration).
    public var isRetriable: Bool {
        if case .unavailable = kind { return true }
        return false
    }

    public var description: String {
        let what: String
        switch kind {
        case .unknownSchemaID(let id): what = "unknown schema id \(id)"
        case .subjectNotFound(let subject): what = "no subject '\(subject)'"
        case .versionNotFound(let subject, let version): what = "subject '\(subject)' has no version \(version)"
        case .schemaNotFound(let subject): what = "subject '\(subject)' has no version with this schema"
        case .unavailable(let reason): what = "registry unavailable: \(reason)"
        case .rejected(let status, let code, let message):
            what = "rejected with HTTP \(status)\(code.map { " (error code \($0))" } ?? ""): \(message)"
        case .invalidResponse(let reason): what = "unexpected answer: \(reason)"
        case .configuration(let reason): what = "bad configuration: \(reason)"
        }
        let context = operation.isEmpty ? registry : "\(operation) on \(registry)"
        return "schema registry: \(what) (\(context))"
    }
}
