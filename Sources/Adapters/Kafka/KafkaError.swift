import CRdKafka

/// The one error type of the Kafka module.
///
/// It carries librdkafka's error code (`code`, with its name such as `"MSG_SIZE_TOO_LARGE"`),
/// librdkafka's message, whether retrying the operation may succeed (`isRetriable`) or the
/// client can no longer be used (`isFatal`), what failed (`operation`) and, when known, the
/// topic, partition, offset and configuration property involved.
public struct KafkaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// librdkafka's error code.
    public var code: Code
    /// librdkafka's human-readable reason.
    public var message: String
    /// Whether the same operation may succeed if retried.
    public var isRetriable: Bool
    /// Whether the client hit an unrecoverable error and must be recreated.
    public var isFatal: Bool
    /// What the client was doing, e.g. `"produce"`, `"subscribe"`, `"configure"`.
    public var operation: String
    /// The topic involved, when known.
    public var topic: String?
    /// The partition involved, when known.
    public var partition: Int32?
    /// The offset involved, when known.
    public var offset: Int64?
    /// The configuration property involved (configuration errors only).
    public var property: String?
    /// For a read that did not reach a topic's end in time (``KafkaTopicReader/readToEnd(_:timeout:)``):
    /// each partition not read to its end, how far it got and the end it had to reach. Empty otherwise.
    public var unfinishedPartitions: [KafkaPartitionProgress] = []

    /// Creates an error; the module makes these from librdkafka's results.
    public init(
        code: Code, message: String, operation: String,
        isRetriable: Bool = false, isFatal: Bool = false,
        topic: String? = nil, partition: Int32? = nil, offset: Int64? = nil, property: String? = nil
    ) {
        self.code = code
        self.message = message
        self.operation = operation
        self.isRetriable = isRetriable
        self.isFatal = isFatal
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.property = property
    }

    public var description: String {
        var text = "KafkaError \(code.name) during \(operation)"
        var context: [String] = []
        if let property { context.append("property \(property)") }
        if let topic { context.append("topic \(topic)") }
        if let partition { context.append("partition \(partition)") }
        if let offset { context.append("offset \(offset)") }
        if !context.isEmpty { text += " (" + context.joined(separator: ", ") + ")" }
        text += ": \(message)"
        if isFatal { text += " [fatal]" } else if isRetriable { text += " [retriable]" }
        return text
    }

    /// A librdkafka error code (`rd_kafka_resp_err_t`): negative values are the client's own,
    /// positive ones come from the broker.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The numeric value of `rd_kafka_resp_err_t`.
        public var rawValue: Int32
        /// Creates a code from its numeric value.
        public init(rawValue: Int32) { self.rawValue = rawValue }
        init(_ err: rd_kafka_resp_err_t) { self.rawValue = err.rawValue }

        /// librdkafka's name of the code without the `RD_KAFKA_RESP_ERR_` prefix, e.g. `"_QUEUE_FULL"`.
        public var name: String { String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: rawValue))) }
        public var description: String { name }

        /// The message exceeds `message.max.bytes` (client or broker).
        public static let messageSizeTooLarge = Code(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
        /// The message was not delivered within `message.timeout.ms`.
        public static let messageTimedOut = Code(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)
        /// The message was still queued when the producer shut down.
        public static let purgedFromQueue = Code(RD_KAFKA_RESP_ERR__PURGE_QUEUE)
        /// The message was in flight when the producer shut down; it may or may not be stored.
        public static let purgedInFlight = Code(RD_KAFKA_RESP_ERR__PURGE_INFLIGHT)
        /// The topic or partition does not exist.
        public static let unknownTopicOrPartition = Code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        /// The partition does not exist (client-side check).
        public static let unknownPartition = Code(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION)
        /// The topic already exists.
        public static let topicAlreadyExists = Code(RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        /// An invalid argument or configuration value.
        public static let invalidArgument = Code(RD_KAFKA_RESP_ERR__INVALID_ARG)
        /// The operation timed out.
        public static let timedOut = Code(RD_KAFKA_RESP_ERR__TIMED_OUT)
        /// The client is shutting down or already closed.
        public static let destroyed = Code(RD_KAFKA_RESP_ERR__DESTROY)
        /// The operation is not valid in the client's current state.
        public static let state = Code(RD_KAFKA_RESP_ERR__STATE)
        /// The client raised a fatal error.
        public static let fatal = Code(RD_KAFKA_RESP_ERR__FATAL)
        /// The operation was interrupted (its task was cancelled).
        public static let interrupted = Code(RD_KAFKA_RESP_ERR__INTR)
    }
}

extension KafkaError {
    /// An error from a bare librdkafka code, with librdkafka's text for it.
    init(
        _ err: rd_kafka_resp_err_t, operation: String, message: String? = nil,
        topic: String? = nil, partition: Int32? = nil, offset: Int64? = nil
    ) {
        self.init(
            code: Code(err), message: message ?? String(cString: rd_kafka_err2str(err)), operation: operation,
            isRetriable: Self.retriableCodes.contains(err.rawValue), isFatal: err == RD_KAFKA_RESP_ERR__FATAL,
            topic: topic, partition: partition, offset: offset)
    }

    /// Takes over an `rd_kafka_error_t` (its retriable/fatal flags) and destroys it.
    init(consuming error: OpaquePointer, operation: String, topic: String? = nil, partition: Int32? = nil) {
        defer { rd_kafka_error_destroy(error) }
        self.init(
            code: Code(rd_kafka_error_code(error)), message: String(cString: rd_kafka_error_string(error)),
            operation: operation, isRetriable: rd_kafka_error_is_retriable(error) != 0,
            isFatal: rd_kafka_error_is_fatal(error) != 0, topic: topic, partition: partition)
    }

    /// A configuration error that names the property and librdkafka's reason.
    static func configuration(property: String?, reason: String) -> KafkaError {
        KafkaError(code: .invalidArgument, message: reason, operation: "configure", property: property)
    }

    /// The client was already shut down or closed when asked to do something.
    static func closed(_ operation: String, topic: String? = nil) -> KafkaError {
        KafkaError(code: .destroyed, message: "the client is shut down", operation: operation, topic: topic)
    }

    /// Codes for which a later retry of the same request may succeed.
    private static let retriableCodes: Set<Int32> = [
        RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__TRANSPORT,
        RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__RESOLVE,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
        RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION,
        RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
        RD_KAFKA_RESP_ERR_NOT_COORDINATOR, RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS,
        RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
    ].reduce(into: []) { $0.insert($1.rawValue) }
}
