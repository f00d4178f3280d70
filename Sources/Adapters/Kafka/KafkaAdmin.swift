import CRdKafka
import Logging

/// A topic to create with ``KafkaAdmin/createTopics(_:timeout:)``.
public struct KafkaTopicSpecification: Sendable, Hashable {
    /// The topic name.
    public var name: String
    /// The number of partitions.
    public var partitions: Int32
    /// The replication factor; `nil` uses the broker's default.
    public var replicationFactor: Int16?
    /// Topic configuration, e.g. `["cleanup.policy": "compact", "retention.ms": "604800000"]`.
    public var configs: [String: String]

    /// Creates a specification.
    public init(name: String, partitions: Int32 = 1, replicationFactor: Int16? = nil, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}

/// A topic and its partitions, as the cluster reports them.
public struct KafkaTopicMetadata: Sendable, Hashable {
    /// The topic name.
    public var name: String
    /// The partition numbers, ascending.
    public var partitions: [Int32]
}

/// Creates and lists topics.
///
/// ```swift
/// let admin = try KafkaAdmin(configuration: .init(bootstrapServers: ["localhost:9092"]))
/// try await admin.createTopics([KafkaTopicSpecification(name: "orders", partitions: 6)])
/// let topics = try await admin.listTopics()
/// await admin.shutdown()   // before the process exits
/// ```
///
/// For a few calls, ``withAdmin(configuration:logger:_:)`` shuts the client down for you.
public final class KafkaAdmin: Sendable {
    let client: RdClient
    /// Which calls use the handle, and whether it was destroyed.
    private let lifecycle = ConditionLock(AdminLifecycle())

    /// Creates an admin client; throws a ``KafkaError`` naming the property if the configuration is invalid.
    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "kafka.admin")) throws(KafkaError) {
        client = try RdClient(role: .admin, properties: configuration.librdkafkaProperties(for: .admin), logger: logger)
    }

    deinit {
        // No operation can be running: each holds a reference to self until it returns.
        guard lifecycle.withLock({ $0.needsDestroying }) else { return }
        let client = self.client
        DedicatedThread.start(name: "kafka-admin-close") { client.destroy() }
    }

    /// Refuses new calls, waits for the running ones, and releases the client. A process should
    /// await it before it exits: a client destroyed in the background while the process exits
    /// can crash librdkafka's threads. Calling it again does nothing.
    public func shutdown() async {
        guard lifecycle.withLock({ $0.shutdown() }) == .destroyWhenIdle else { return }
        let client = self.client
        let lifecycle = self.lifecycle
        await DedicatedThread.run(name: "kafka-admin-close") {
            lifecycle.wait(until: { $0.isIdle }) { _ in }
            client.destroy()
            lifecycle.withLock { $0.handleDestroyed() }
        }
    }

    /// Runs `body` with a new admin client and shuts the client down afterwards, whether `body`
    /// returned or threw: the way to use one for a few calls, in a process that may exit soon
    /// after (a client left to `deinit` is destroyed in the background, which the exit can race).
    ///
    /// - Throws: ``KafkaError`` if the configuration is invalid, or what `body` threw.
    ///
    /// ```swift
    /// let topics = try await KafkaAdmin.withAdmin(configuration: config) { try await $0.listTopics() }
    /// ```
    public static func withAdmin<T>(
        configuration: KafkaConfiguration, logger: Logger = Logger(label: "kafka.admin"),
        _ body: (KafkaAdmin) async throws -> T
    ) async throws -> T {
        let admin = try KafkaAdmin(configuration: configuration, logger: logger)
        return try await admin.shutdown { try await body(admin) }
    }

    /// Runs `body`, then shuts the client down, whether `body` returned or threw (with its own
    /// error type, for callers that throw typed errors).
    public func shutdown<T, Failure: Error>(after body: () async throws(Failure) -> T) async throws(Failure) -> T {
        let result: Result<T, Failure>
        do {
            result = .success(try await body())
        } catch {
            result = .failure(error)
        }
        await shutdown()
        return try result.get()
    }

    /// Runs `body` with the handle while no shutdown can destroy it.
    func withClient<T: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (RdClient) async -> Result<T, KafkaError>
    ) async throws(KafkaError) -> T {
        guard lifecycle.withLock({ $0.beginCall() }) == .proceed else { throw KafkaError.closed(operation) }
        let result = await body(client)
        lifecycle.withLockThenSignal { $0.endCall() }
        return try result.get()
    }

    /// Creates topics; a topic that already exists counts as created (its settings are not changed).
    ///
    /// - Throws: ``KafkaError`` for the first topic the broker refused (with its name), or
    ///   `_TIMED_OUT` if the broker did not answer within `timeout`.
    public func createTopics(_ topics: [KafkaTopicSpecification], timeout: Duration = .seconds(30)) async throws(KafkaError) {
        guard !topics.isEmpty else { return }
        let milliseconds = Int32(clamping: Int(KafkaConfiguration.milliseconds(timeout)) ?? Int(Int32.max))
        try await withClient("create topics") { client in
            let error = await DedicatedThread.run(name: "kafka-admin") {
                Self.createTopicsBlocking(client.handle, topics, timeoutMilliseconds: milliseconds)
            }
            return error.map { .failure($0) } ?? .success(())
        }
    }

    /// Lists the cluster's topics (without internal ones such as `__consumer_offsets`), by name.
    public func listTopics(timeout: Duration = .seconds(10)) async throws(KafkaError) -> [KafkaTopicMetadata] {
        let milliseconds = Int32(clamping: Int(KafkaConfiguration.milliseconds(timeout)) ?? Int(Int32.max))
        return try await withClient("list topics") { client in await DedicatedThread.run(name: "kafka-admin") { () -> Result<[KafkaTopicMetadata], KafkaError> in
            var metadata: UnsafePointer<rd_kafka_metadata_t>? = nil
            let err = rd_kafka_metadata(client.handle, 1, nil, &metadata, milliseconds)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
                return .failure(KafkaError(err, operation: "list topics"))
            }
            defer { rd_kafka_metadata_destroy(metadata) }
            var topics: [KafkaTopicMetadata] = []
            for index in 0..<Int(metadata.pointee.topic_cnt) {
                let topic = metadata.pointee.topics[index]
                let name = String(cString: topic.topic)
                if name.hasPrefix("__") || topic.err != RD_KAFKA_RESP_ERR_NO_ERROR { continue }
                let partitions = (0..<Int(topic.partition_cnt)).map { topic.partitions[$0].id }.sorted()
                topics.append(KafkaTopicMetadata(name: name, partitions: partitions))
            }
            return .success(topics.sorted { $0.name < $1.name })
        } }
    }

    private static func createTopicsBlocking(
        _ rk: OpaquePointer, _ topics: [KafkaTopicSpecification], timeoutMilliseconds: Int32
    ) -> KafkaError? {
        var newTopics: [OpaquePointer?] = []
        defer { for topic in newTopics { rd_kafka_NewTopic_destroy(topic) } }
        var errstr = [CChar](repeating: 0, count: 512)
        for spec in topics {
            guard let topic = rd_kafka_NewTopic_new(spec.name, spec.partitions, Int32(spec.replicationFactor ?? -1), &errstr, errstr.count) else {
                return KafkaError(code: .invalidArgument, message: string(fromCBuffer: errstr), operation: "create topic", topic: spec.name)
            }
            newTopics.append(topic)
            for (name, value) in spec.configs.sorted(by: { $0.key < $1.key }) {
                let err = rd_kafka_NewTopic_set_config(topic, name, value)
                if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                    var error = KafkaError(err, operation: "create topic", topic: spec.name)
                    error.property = name
                    return error
                }
            }
        }
        guard let queue = rd_kafka_queue_new(rk) else {
            return KafkaError(code: .state, message: "could not create a result queue", operation: "create topic")
        }
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        for setTimeout in [rd_kafka_AdminOptions_set_operation_timeout, rd_kafka_AdminOptions_set_request_timeout] {
            let err = setTimeout(options, timeoutMilliseconds, &errstr, errstr.count)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                return KafkaError(err, operation: "create topic", message: string(fromCBuffer: errstr))
            }
        }
        newTopics.withUnsafeMutableBufferPointer { buffer in
            rd_kafka_CreateTopics(rk, buffer.baseAddress, buffer.count, options, queue)
        }
        // librdkafka answers (result or timeout error) within the request timeout; the margin
        // covers the hand-over to this queue.
        guard let event = rd_kafka_queue_poll(queue, timeoutMilliseconds &+ 5_000) else {
            return KafkaError(code: .timedOut, message: "no CreateTopics result", operation: "create topic")
        }
        defer { rd_kafka_event_destroy(event) }
        let eventError = rd_kafka_event_error(event)
        if eventError != RD_KAFKA_RESP_ERR_NO_ERROR {
            return KafkaError(eventError, operation: "create topic", message: String(cString: rd_kafka_event_error_string(event)))
        }
        guard let result = rd_kafka_event_CreateTopics_result(event) else {
            return KafkaError(code: .state, message: "unexpected admin event", operation: "create topic")
        }
        var count = 0
        guard let results = rd_kafka_CreateTopics_result_topics(result, &count) else { return nil }
        for index in 0..<count {
            let topicResult = results[index]
            let err = rd_kafka_topic_result_error(topicResult)
            if err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS { continue }
            let message = rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) }
            return KafkaError(err, operation: "create topic", message: message,
                              topic: String(cString: rd_kafka_topic_result_name(topicResult)))
        }
        return nil
    }
}
