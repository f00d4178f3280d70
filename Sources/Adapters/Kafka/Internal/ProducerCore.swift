import CRdKafka
import Logging
import Synchronization

/// The producer's librdkafka side: produces messages, serves delivery reports on a dedicated
/// thread that blocks in `rd_kafka_queue_poll` (woken by librdkafka when a report or error
/// arrives, and by `rd_kafka_queue_yield` for shutdown), and shuts down without losing a report.
///
/// Per-message opaque pointers are either a retained ``DeliveryContinuation`` (awaiting
/// `send`, released exactly once when its report arrives) or an ``enqueue`` ID tagged with
/// the low bit (no allocation; objects are at least 2-byte aligned, so the tag cannot clash).
final class ProducerCore: Sendable {
    enum Phase { case running, shuttingDown, stopped }

    struct State {
        var phase: Phase = .running
        var pollerRunning = true
        var stopPoller = false
        /// Bumped after every batch of delivery reports: queue space may have been freed.
        var reportGeneration: UInt64 = 0
        var spaceWaiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiterID: UInt64 = 0
        var nextMessageID: UInt64 = 0
        /// Blocking calls (flush) using the handle outside the lock; shutdown waits for them.
        var activeBlockingCalls = 0
        /// Set under the lock just before the handle is destroyed: nothing may use it after.
        var handleReleased = false
    }

    enum Attempt: Sendable {
        case delivered(KafkaDeliveryReport)
        /// Carries the report generation seen under the lock when the queue was full.
        case queueFull(generation: UInt64)
    }

    let client: RdClient
    let logger: Logger
    /// The main queue, where delivery-report and error events arrive.
    private let queue: RdQueue
    /// Every use of `client.handle` after creation happens under this lock with phase checked,
    /// so `destroy()` (after phase `.stopped`) cannot race a produce.
    let state = ConditionLock(State())
    let deliveries = DeliveryBuffer()
    /// Outcomes of enqueued messages gathered from one delivery-report event (event thread only).
    private let gathered = GatheredDeliveries()
    /// Used only on the event thread.
    private let topicNames = TopicNameCache()
    /// Messages librdkafka accepted whose delivery report has not been handled yet. Counted here
    /// rather than read from `rd_kafka_outq_len`, which also counts error and other events.
    private let awaitingReports = Atomic<Int>(0)

    init(configuration: KafkaConfiguration, logger: Logger) throws(KafkaError) {
        let events = Int32(RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_ERROR)
        client = try RdClient(role: .producer, properties: configuration.librdkafkaProperties(for: .producer),
                              logger: logger, events: events)
        self.logger = logger
        queue = RdQueue(rd_kafka_queue_get_main(client.handle))
        DedicatedThread.start(name: "kafka-producer") { [self] in runEventLoop() }
    }

    // MARK: Producing

    /// One produce attempt for `send`: resumes with the report, `.queueFull`, or the error.
    func attemptSend(_ message: KafkaMessage) async throws -> Attempt {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Attempt, any Error>) in
            let box = Unmanaged.passRetained(DeliveryContinuation(continuation))
            let (outcome, generation) = state.withLock { state -> (KafkaError??, UInt64) in
                guard state.phase == .running else { return (.some(.closed("produce", topic: message.topic)), 0) }
                return (produce(message, opaque: box.toOpaque()), state.reportGeneration)
            }
            switch outcome {
            case .none: awaitingReports.add(1, ordering: .relaxed)  // queued: the report resumes the continuation
            case .some(.none):
                box.release()
                continuation.resume(returning: .queueFull(generation: generation))
            case .some(.some(let error)):
                box.release()
                continuation.resume(throwing: error)
            }
        }
    }

    enum EnqueueAttempt {
        case queued(KafkaMessageID)
        case queueFull(generation: UInt64)
    }

    /// One produce attempt for `enqueue`: the ID, queue-full (with the report generation seen
    /// under the same lock, for ``waitForSpace(after:)``), or the error.
    func attemptEnqueue(_ message: KafkaMessage) throws(KafkaError) -> EnqueueAttempt {
        let outcome = state.withLock { state -> Result<EnqueueAttempt, KafkaError> in
            guard state.phase == .running else { return .failure(.closed("produce", topic: message.topic)) }
            let id = state.nextMessageID
            let tagged = UnsafeMutableRawPointer(bitPattern: UInt(id << 1 | 1))
            switch produce(message, opaque: tagged) {
            case .none:
                state.nextMessageID += 1
                awaitingReports.add(1, ordering: .relaxed)
                return .success(.queued(KafkaMessageID(rawValue: id)))
            case .some(.none): return .success(.queueFull(generation: state.reportGeneration))
            case .some(.some(let error)): return .failure(error)
            }
        }
        return try outcome.get()
    }

    /// Hands one message to librdkafka (which copies it). Returns `nil` when queued,
    /// `.some(nil)` when the queue is full, or the error. Call with the state lock held.
    private func produce(_ message: KafkaMessage, opaque: UnsafeMutableRawPointer?) -> KafkaError?? {
        var headers: OpaquePointer? = nil
        if !message.headers.isEmpty {
            headers = rd_kafka_headers_new(message.headers.count)
            for header in message.headers {
                var name = header.name
                name.withUTF8 { name in
                    withOptionalBytes(header.value) { value in
                        _ = rd_kafka_header_add(headers, name.baseAddress, name.count, value.baseAddress, value.count)
                    }
                }
            }
        }
        let error: OpaquePointer? = message.topic.withCString { topic in
            withOptionalBytes(message.key) { key in
                withOptionalBytes(message.value) { value in
                    withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 7) { vus in
                        var count = 0
                        func add(_ type: rd_kafka_vtype_t, _ fill: (inout rd_kafka_vu_t) -> Void) {
                            var vu = rd_kafka_vu_t()
                            vu.vtype = type
                            fill(&vu)
                            (vus.baseAddress! + count).initialize(to: vu)
                            count += 1
                        }
                        add(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = topic }
                        add(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = message.partition ?? RD_KAFKA_PARTITION_UA }
                        add(RD_KAFKA_VTYPE_VALUE) { $0.u.mem = .init(ptr: UnsafeMutableRawPointer(mutating: value.baseAddress), size: value.count) }
                        if message.key != nil {
                            add(RD_KAFKA_VTYPE_KEY) { $0.u.mem = .init(ptr: UnsafeMutableRawPointer(mutating: key.baseAddress), size: key.count) }
                        }
                        add(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = opaque }
                        add(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
                        if let headers { add(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = headers } }
                        return rd_kafka_produceva(client.handle, vus.baseAddress, count)
                    }
                }
            }
        }
        guard let error else { return nil }
        if let headers { rd_kafka_headers_destroy(headers) }  // still ours when produceva failed
        if rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR__QUEUE_FULL {
            rd_kafka_error_destroy(error)
            return .some(nil)
        }
        return .some(KafkaError(consuming: error, operation: "produce", topic: message.topic, partition: message.partition))
    }

    /// Suspends until delivery reports after `generation` freed queue space, the producer
    /// shuts down, or the task is cancelled.
    func waitForSpace(after generation: UInt64) async {
        let id = state.withLock { state in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.reportGeneration != generation || state.phase != .running || Task.isCancelled { return true }
                    state.spaceWaiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.spaceWaiters.removeValue(forKey: id) }?.resume()
        }
    }

    // MARK: The event thread

    private func runEventLoop() {
        while true {
            let stopping = state.withLock { $0.stopPoller }
            guard let event = rd_kafka_queue_poll(queue.handle, stopping ? 0 : -1) else {
                if stopping { break }
                continue  // woken by rd_kafka_queue_yield
            }
            switch Int32(rd_kafka_event_type(event)) {
            case RD_KAFKA_EVENT_DR:
                handleDeliveryReports(event)
                // librdkafka frees queue space only when the event, and with it its messages, is
                // destroyed. Senders waiting for space are woken after that: woken before, they
                // would retry into a still-full queue and wait for a report that never comes.
                rd_kafka_event_destroy(event)
                wakeSpaceWaiters()
                continue
            case RD_KAFKA_EVENT_ERROR:
                let code = KafkaError.Code(rd_kafka_event_error(event))
                let reason = String(cString: rd_kafka_event_error_string(event))
                if rd_kafka_event_error_is_fatal(event) != 0 {
                    let fatal = client.fatalError(operation: "produce")
                    logger.critical("Kafka producer fatal error \(fatal?.code.name ?? code.name): \(fatal?.message ?? reason)")
                } else {
                    logger.warning("Kafka producer error \(code.name): \(reason)")
                }
            default:
                break
            }
            rd_kafka_event_destroy(event)
        }
        deliveries.finish()
        state.withLockThenSignal { $0.pollerRunning = false }
    }

    private func handleDeliveryReports(_ event: OpaquePointer) {
        withUnsafeTemporaryAllocation(of: UnsafePointer<rd_kafka_message_t>?.self, capacity: 256) { batch in
            while true {
                let count = rd_kafka_event_message_array(event, batch.baseAddress, batch.count)
                if count == 0 { break }
                for index in 0..<count {
                    guard let message = batch[index] else { continue }
                    deliver(message.pointee)
                }
            }
        }
        deliveries.append(gathered.items)
        gathered.items.removeAll(keepingCapacity: true)
    }

    /// Starts a new report generation and resumes every sender waiting for queue space.
    private func wakeSpaceWaiters() {
        let waiters = state.withLock { state in
            state.reportGeneration &+= 1
            defer { state.spaceWaiters.removeAll() }
            return state.spaceWaiters.values
        }
        for waiter in waiters { waiter.resume() }
    }

    private func deliver(_ message: rd_kafka_message_t) {
        awaitingReports.subtract(1, ordering: .relaxed)
        let topic = topicNames.name(of: message.rkt)
        let result: Result<KafkaDeliveryReport, KafkaError>
        if message.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            result = .success(KafkaDeliveryReport(topic: topic, partition: message.partition, offset: message.offset))
        } else {
            var error = KafkaError(message.err, operation: "deliver", topic: topic,
                                   partition: message.partition == RD_KAFKA_PARTITION_UA ? nil : message.partition)
            if message.err == RD_KAFKA_RESP_ERR__FATAL, let fatal = client.fatalError(operation: "deliver") {
                error.message = fatal.message
            }
            result = .failure(error)
        }
        guard let opaque = message._private else {
            logger.error("Kafka delivery report without a message context", metadata: ["topic": "\(topic)"])
            return
        }
        let bits = UInt(bitPattern: opaque)
        if bits & 1 == 1 {
            gathered.items.append(KafkaDelivery(id: KafkaMessageID(rawValue: UInt64(bits >> 1)), result: result))
        } else {
            Unmanaged<DeliveryContinuation>.fromOpaque(opaque).takeRetainedValue().resume(with: result)
        }
    }

    /// Messages accepted by librdkafka whose delivery report has not been handled yet.
    var outstandingMessageCount: Int { awaitingReports.load(ordering: .relaxed) }

    // MARK: Flush and shutdown

    /// Blocks until every queued message has a delivery report, or the timeout passes.
    func flushBlocking(timeoutMilliseconds: Int32) -> KafkaError? {
        let running = state.withLock { state in
            guard state.phase == .running else { return false }
            state.activeBlockingCalls += 1
            return true
        }
        guard running else { return .closed("flush") }
        // Outside the lock (the event thread needs it to deliver the reports flush waits for);
        // shutdown does not destroy the handle while activeBlockingCalls > 0.
        let err = rd_kafka_flush(client.handle, timeoutMilliseconds)
        let left = rd_kafka_outq_len(client.handle)
        state.withLockThenSignal { $0.activeBlockingCalls -= 1 }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            return KafkaError(err, operation: "flush", message: "\(left) messages still awaiting delivery reports")
        }
        return nil
    }

    /// Delivers (or, after `timeout`, fails) every queued message, stops the event thread and
    /// destroys the client. Safe to call more than once and from several threads.
    func shutdownBlocking(timeoutMilliseconds: Int32) {
        let first = state.withLock { state -> Bool in
            guard state.phase == .running else { return false }
            state.phase = .shuttingDown
            return true
        }
        guard first else {
            state.wait(until: { $0.phase == .stopped }) { _ in }
            return
        }
        // New sends now fail fast; waiters for queue space re-check the phase and fail.
        let waiters = state.withLock { state in
            defer { state.spaceWaiters.removeAll() }
            return state.spaceWaiters.values
        }
        for waiter in waiters { waiter.resume() }

        if rd_kafka_flush(client.handle, timeoutMilliseconds) != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("Kafka producer shutdown: \(rd_kafka_outq_len(client.handle)) messages not delivered in time; failing them")
        }
        // Whatever is left gets a purge report (an error for its caller), never silence.
        var rounds = 0
        while rd_kafka_outq_len(client.handle) > 0 && rounds < 30 {
            rd_kafka_purge(client.handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
            _ = rd_kafka_flush(client.handle, 1000)
            rounds += 1
        }
        state.wait(until: { $0.activeBlockingCalls == 0 }) { $0.stopPoller = true }
        rd_kafka_queue_yield(queue.handle)
        state.wait(until: { !$0.pollerRunning }) { _ in }
        let left = rd_kafka_outq_len(client.handle)
        if left > 0 { logger.error("Kafka producer destroyed with \(left) messages whose reports never arrived") }
        state.withLock { $0.handleReleased = true }
        queue.destroy()
        client.destroy()
        state.withLockThenSignal { $0.phase = .stopped }
        logger.debug("Kafka producer shut down")
    }
}

/// The continuation of one awaiting `send`, kept alive by librdkafka's per-message opaque.
final class DeliveryContinuation: Sendable {
    private let continuation: CheckedContinuation<ProducerCore.Attempt, any Error>
    init(_ continuation: CheckedContinuation<ProducerCore.Attempt, any Error>) { self.continuation = continuation }
    func resume(with result: Result<KafkaDeliveryReport, KafkaError>) {
        switch result {
        case .success(let report): continuation.resume(returning: .delivered(report))
        case .failure(let error): continuation.resume(throwing: error)
        }
    }
}

/// An `rd_kafka_queue_t` reference.
///
/// `@unchecked Sendable`: librdkafka queues are thread-safe; the owner destroys it once, last.
struct RdQueue: @unchecked Sendable {
    let handle: OpaquePointer
    init(_ handle: OpaquePointer!) { self.handle = handle }
    func destroy() { rd_kafka_queue_destroy(handle) }
}

/// Runs `body` with the bytes of `bytes`, or an empty buffer with a nil base address for `nil`.
@inline(__always)
func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    guard let bytes else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
    // An empty value must keep a non-nil address: librdkafka reads (nil, 0) as null.
    if bytes.isEmpty { return body(UnsafeRawBufferPointer(start: emptyBytes, count: 0)) }
    return bytes.withUnsafeBytes(body)
}

/// A valid address for empty (non-null) values and header values.
nonisolated(unsafe) private let emptyBytes = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

/// Delivery outcomes gathered while serving one event.
///
/// `@unchecked Sendable`: used only on the producer's event thread.
final class GatheredDeliveries: @unchecked Sendable {
    @exclusivity(unchecked) var items: [KafkaDelivery] = []
}
