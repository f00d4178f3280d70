import CRdKafka
import Logging

/// What librdkafka's callbacks reach through the client's opaque pointer: the logger, and
/// for consumers the rebalance handler. Retained once for the client's lifetime, released
/// by ``RdClient/destroy()`` after `rd_kafka_destroy` returned (no callback can run then).
final class RdClientContext: Sendable {
    let logger: Logger
    let rebalance: (@Sendable (OpaquePointer, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> Void)?
    /// The newest connection problems librdkafka reported (warnings and errors of its log and
    /// error callbacks), kept only for clients that diagnose connectivity.
    let diagnostics: ConditionLock<[RdDiagnostic]>?

    init(
        logger: Logger,
        rebalance: (@Sendable (OpaquePointer, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> Void)?,
        recordDiagnostics: Bool = false
    ) {
        self.logger = logger
        self.rebalance = rebalance
        self.diagnostics = recordDiagnostics ? ConditionLock([]) : nil
    }

    /// Keeps `diagnostic` (the newest 64) when this client records them.
    func record(_ diagnostic: RdDiagnostic) {
        diagnostics?.withLock { list in
            list.append(diagnostic)
            if list.count > 64 { list.removeFirst(list.count - 64) }
        }
    }

    static func from(_ rk: OpaquePointer?) -> RdClientContext? {
        guard let rk, let opaque = rd_kafka_opaque(rk) else { return nil }
        return Unmanaged<RdClientContext>.fromOpaque(opaque).takeUnretainedValue()
    }
}

/// Owns one `rd_kafka_t` and its context. The only type that creates or destroys a handle.
///
/// `@unchecked Sendable`: `rd_kafka_t` is thread-safe (librdkafka's own locks guard it); each
/// owner (producer, consumer or admin core) guarantees `destroy()` runs once, after every
/// other use, by checking its phase under its own lock before each use.
final class RdClient: @unchecked Sendable {
    let handle: OpaquePointer
    let logger: Logger
    private let context: Unmanaged<RdClientContext>

    /// The connection problems reported so far (empty unless created with `recordDiagnostics`).
    var diagnostics: [RdDiagnostic] { context.takeUnretainedValue().diagnostics?.withLock { $0 } ?? [] }

    /// Creates a client of `role` from `configuration`; `events` enables librdkafka's event
    /// API for those event types on the main queue.
    init(
        role: KafkaConfiguration.Role, properties: [(name: String, value: String)], logger: Logger,
        events: Int32 = 0, recordDiagnostics: Bool = false,
        rebalance: (@Sendable (OpaquePointer, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> Void)? = nil
    ) throws(KafkaError) {
        var map: [String: String] = [:]
        for (name, value) in properties { map[name] = value }
        try KafkaConfiguration.validateSecurity(map)
        let conf = try Self.makeConf(properties)
        let context = Unmanaged.passRetained(
            RdClientContext(logger: logger, rebalance: rebalance, recordDiagnostics: recordDiagnostics))
        rd_kafka_conf_set_opaque(conf, context.toOpaque())
        rd_kafka_conf_set_log_cb(conf, rdLogCallback)
        if rebalance != nil { rd_kafka_conf_set_rebalance_cb(conf, rdRebalanceCallback) }
        if rebalance != nil || recordDiagnostics { rd_kafka_conf_set_error_cb(conf, rdErrorCallback) }
        if events != 0 { rd_kafka_conf_set_events(conf, events) }

        var errstr = [CChar](repeating: 0, count: 512)
        let type = role == .consumer ? RD_KAFKA_CONSUMER : RD_KAFKA_PRODUCER
        guard let handle = rd_kafka_new(type, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            context.release()
            let reason = string(fromCBuffer: errstr)
            throw KafkaError.configuration(property: nil, reason: reason)
        }
        self.handle = handle
        self.context = context
        self.logger = logger
        logger.info("Kafka \(role.rawValue) created", metadata: [
            "librdkafka": "\(LibrdkafkaVersion.string)",
            "kafka.client": "\(String(cString: rd_kafka_name(handle)))",
        ])
        // Secrets (passwords, keys, tokens) show as [redacted]: logs never carry them.
        logger.debug("Kafka \(role.rawValue) configuration", metadata: [
            "kafka.configuration": "\(KafkaConfiguration.redacted(properties).map { "\($0.name)=\($0.value)" }.joined(separator: " "))",
        ])
    }

    /// Destroys the handle (blocking until librdkafka's threads have stopped), then releases
    /// the context. Call exactly once, on a thread that may block.
    func destroy() {
        rd_kafka_destroy(handle)
        context.release()
    }

    /// Builds an `rd_kafka_conf_t`, failing on the first property librdkafka rejects.
    static func makeConf(_ properties: [(name: String, value: String)]) throws(KafkaError) -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError.configuration(property: nil, reason: "rd_kafka_conf_new failed (out of memory)")
        }
        var errstr = [CChar](repeating: 0, count: 512)
        for (name, value) in properties {
            let result = rd_kafka_conf_set(conf, name, value, &errstr, errstr.count)
            guard result == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                let reason = string(fromCBuffer: errstr)
                throw KafkaError.configuration(property: name, reason: reason)
            }
        }
        return conf
    }

    /// librdkafka's fatal error, if one was raised.
    func fatalError(operation: String) -> KafkaError? {
        var errstr = [CChar](repeating: 0, count: 512)
        let err = rd_kafka_fatal_error(handle, &errstr, errstr.count)
        guard err != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        var error = KafkaError(err, operation: operation, message: string(fromCBuffer: errstr))
        error.isFatal = true
        return error
    }
}

/// librdkafka log lines (from its own threads) go to the client's swift-log logger.
private func rdLogCallback(_ rk: OpaquePointer?, _ level: Int32, _ facility: UnsafePointer<CChar>?, _ line: UnsafePointer<CChar>?) {
    guard let context = RdClientContext.from(rk), let line else { return }
    let swiftLevel: Logger.Level = switch level {
    case ...2: .critical
    case 3: .error
    case 4: .warning
    case 5: .notice
    case 6: .info
    default: .debug
    }
    let text = String(cString: line)
    if level <= 4 { context.record(RdDiagnostic(code: nil, text: text)) }
    context.logger.log(level: swiftLevel, "\(text)", metadata: [
        "librdkafka.facility": "\(facility.map { String(cString: $0) } ?? "")",
    ])
}

/// Client-level errors (broker connections, fatal idempotence errors) of a consumer or of a
/// client that diagnoses connectivity (served by `rd_kafka_poll`).
private func rdErrorCallback(_ rk: OpaquePointer?, _ err: Int32, _ reason: UnsafePointer<CChar>?, _ opaque: UnsafeMutableRawPointer?) {
    guard let context = RdClientContext.from(rk) else { return }
    let code = KafkaError.Code(rawValue: err)
    let fatal = err == RD_KAFKA_RESP_ERR__FATAL.rawValue
    let text = reason.map { String(cString: $0) } ?? ""
    context.record(RdDiagnostic(code: err, text: text))
    context.logger.log(level: fatal ? .critical : .warning, "librdkafka error \(code.name): \(text)")
}

private func rdRebalanceCallback(
    _ rk: OpaquePointer?, _ err: rd_kafka_resp_err_t,
    _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, _ opaque: UnsafeMutableRawPointer?
) {
    guard let rk, let partitions, let context = RdClientContext.from(rk), let rebalance = context.rebalance else { return }
    rebalance(rk, err, partitions)
}

/// The text of a NUL-terminated C buffer that librdkafka filled (e.g. an `errstr`).
func string(fromCBuffer buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
