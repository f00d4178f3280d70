import Foundation

/// The headers a dead-lettered record carries, following Spring Kafka's `kafka_dlt-*`
/// convention so existing DLQ tooling understands our records, plus the engine's own
/// `saga-dlt-*` headers for what Spring has no name for.
///
/// Encodings follow Spring Kafka: partition as a 4-byte big-endian integer, offset and
/// timestamp as 8-byte big-endian integers (milliseconds since 1970), every other value as
/// UTF-8 text. Exception texts are cut to ``DeadLetterLimits`` so headers stay small.
public enum DeadLetterHeaders {
    /// The topic the record was consumed from (UTF-8).
    public static let originalTopic = "kafka_dlt-original-topic"
    /// Its partition (4-byte big-endian).
    public static let originalPartition = "kafka_dlt-original-partition"
    /// Its offset (8-byte big-endian).
    public static let originalOffset = "kafka_dlt-original-offset"
    /// Its timestamp in ms (8-byte big-endian).
    public static let originalTimestamp = "kafka_dlt-original-timestamp"
    /// Its timestamp type (`CreateTime`).
    public static let originalTimestampType = "kafka_dlt-original-timestamp-type"
    /// The consumer group that failed to process it.
    public static let originalConsumerGroup = "kafka_dlt-original-consumer-group"
    /// The error type (Spring: the exception's class name).
    public static let exceptionFQCN = "kafka_dlt-exception-fqcn"
    /// The underlying cause's type.
    public static let exceptionCauseFQCN = "kafka_dlt-exception-cause-fqcn"
    /// The error message.
    public static let exceptionMessage = "kafka_dlt-exception-message"
    /// The full error description, cause chain included (Spring: the stack trace).
    public static let exceptionStacktrace = "kafka_dlt-exception-stacktrace"

    /// The service that dead-lettered it.
    public static let service = "saga-dlt-service"
    /// The error kind (``DeadLetterErrorKind``).
    public static let errorKind = "saga-dlt-error-kind"
    /// How many attempts were made (UTF-8 decimal).
    public static let attempts = "saga-dlt-attempts"
    /// When it was dead-lettered (ISO 8601, UTC, milliseconds).
    public static let failedAt = "saga-dlt-failed-at"
    /// Set on a record re-published from a DLQ: the replay's id.
    public static let replayID = "saga-replay-id"
    /// Set on a record re-published from a DLQ by the API: the letter's id (``DeadLetterID``).
    public static let replayOf = "saga-replay-of"
    /// Set on a record re-published from a DLQ by the API: who asked for the replay.
    public static let replayBy = "saga-replay-by"

    /// Whether `name` is one of the headers a replay sets (a new replay replaces them).
    public static func isReplayHeader(_ name: String) -> Bool {
        name == replayID || name == replayOf || name == replayBy
    }

    /// Whether `name` is one of the error headers a new dead-lettering replaces.
    public static func isDeadLetterHeader(_ name: String) -> Bool {
        name.hasPrefix("kafka_dlt-") || name.hasPrefix("saga-dlt-")
    }
}

/// Why a record was dead-lettered.
public enum DeadLetterErrorKind: String, Sendable, Hashable, Codable {
    /// Its bytes could not be decoded (unknown schema, corrupt payload, missing envelope headers).
    case undecodable
    /// It decoded but failed validation (e.g. a reply that fits no step).
    case invalid
    /// Processing failed for a reason retrying cannot fix.
    case nonRetriable
    /// Processing kept failing transiently until its retries ran out.
    case retriesExhausted
}

/// Everything about a failure that goes into the DLQ record.
public struct DeadLetterFailure: Sendable, Hashable {
    /// The error kind.
    public var kind: DeadLetterErrorKind
    /// The error's type name.
    public var errorType: String
    /// The error message.
    public var message: String
    /// The underlying cause's type name, if any.
    public var causeType: String?
    /// The underlying cause's description, if any.
    public var causeDescription: String?
    /// How many attempts were made.
    public var attempts: Int

    /// Creates a failure description.
    public init(
        kind: DeadLetterErrorKind, errorType: String, message: String, causeType: String? = nil,
        causeDescription: String? = nil, attempts: Int
    ) {
        self.kind = kind
        self.errorType = errorType
        self.message = message
        self.causeType = causeType
        self.causeDescription = causeDescription
        self.attempts = attempts
    }

    /// Describes `error` (its dynamic type and description) and, if given, its cause.
    public init(kind: DeadLetterErrorKind, error: any Error, cause: (any Error)? = nil, attempts: Int) {
        self.init(
            kind: kind, errorType: String(reflecting: type(of: error)), message: String(describing: error),
            causeType: cause.map { String(reflecting: type(of: $0)) }, causeDescription: cause.map { String(describing: $0) },
            attempts: attempts
        )
    }
}

/// Size limits of the error headers (UTF-8 bytes; longer texts are cut and marked `…`).
public struct DeadLetterLimits: Sendable, Hashable {
    /// The error message header.
    public var message: Int
    /// The stack trace (full description) header.
    public var stacktrace: Int

    /// Creates limits.
    public init(message: Int = 1_024, stacktrace: Int = 8_192) {
        self.message = message
        self.stacktrace = stacktrace
    }
}
