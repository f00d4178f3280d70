import CRdKafka
import Logging

/// The consumer's event thread: polls, hands messages off, serves rebalances and closes.
/// It is the only thread that destroys the handle, so its own librdkafka calls need no
/// counted use; it makes them, like every other thread, with the lock released.
extension ConsumerCore {
    func runPollLoop() {
        while true {
            // Waits for work (a waiter, a low prefetch, a close) and for a store in flight on
            // another thread, then takes the pending offsets: they reach librdkafka before the
            // poll, so before any rebalance in it can commit or revoke.
            switch machine.wait(until: { $0.eventThreadMayProceed }, then: { $0.eventThreadProceeds() }) {
            case .poll(let offsets):
                if let offsets { storeFromEventThread(offsets, during: nil) }
                guard let first = rd_kafka_consumer_poll(client.handle, -1) else { continue }  // yielded
                accept(first)
                // Then what librdkafka already has, one poll per message (not
                // `rd_kafka_consume_batch_queue`): a rebalance served inside a poll then always
                // finds every earlier message of this round in `round.messages`, where a revoke
                // drops those of its partitions.
                var polled = 1
                while polled < Self.batchLimit, let message = rd_kafka_consumer_poll(client.handle, 0) {
                    accept(message)
                    polled += 1
                }
                handOff()
            case .close(let offsets):
                close(storing: offsets)
                return
            case .exit:
                return
            }
        }
    }

    private func storeFromEventThread(_ offsets: OffsetBatch, during step: String?) {
        if let error = Self.store(offsets, handle: client.handle, machine: machine) {
            logger.warning("Kafka consumer could not store processed offsets\(step.map { " on \($0)" } ?? ""): \(error)")
        }
    }

    /// Queues one polled message for the handoff (converted when taken), or handles and
    /// destroys an error.
    private func accept(_ pointer: UnsafeMutablePointer<rd_kafka_message_t>) {
        let message = pointer.pointee
        if message.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            let partition = TopicPartition(topic: round.topicNames.name(of: message.rkt), partition: message.partition)
            round.messages.append(QueuedMessage(polled: PolledMessage(pointer: pointer), topicPartition: partition))
            return
        }
        defer { rd_kafka_message_destroy(pointer) }
        let topic = message.rkt.map { String(cString: rd_kafka_topic_name($0)) }
        if message.err == RD_KAFKA_RESP_ERR__PARTITION_EOF { return }
        var error = KafkaError(message.err, operation: "consume", message: String(cString: rd_kafka_message_errstr(pointer)),
                               topic: topic, partition: topic == nil ? nil : message.partition)
        if message.err == RD_KAFKA_RESP_ERR__FATAL, let fatal = client.fatalError(operation: "consume") {
            error = fatal
        }
        if error.isFatal {
            logger.critical("Kafka consumer fatal error: \(error)")
            machine.withLock { $0.fatalErrorOccurred(error) }
        } else {
            logger.warning("Kafka consumer error: \(error)")
        }
    }

    /// Gives the gathered messages to the first waiters (converted here, outside the lock);
    /// the rest go to the handoff queue.
    private func handOff() {
        let resumes = machine.withLock { $0.roundPolled(&round.messages) }
        // Left over when stopping or closing: never handed out, so the group redelivers them.
        for queued in round.messages { queued?.destroy() }
        round.messages.removeAll(keepingCapacity: true)
        for (waiter, result) in resumes {
            switch result {
            case .success(let queued):
                let message = queued.convert()
                queued.destroy()
                waiter.resume(returning: message)
            case .failure(let error):
                waiter.resume(throwing: error)
            }
        }
    }

    private func close(storing offsets: OffsetBatch?) {
        // Unprocessed messages are dropped: their offsets were never stored, so the group redelivers them.
        for queued in round.messages { queued?.destroy() }
        round.messages.removeAll()
        if let offsets { storeFromEventThread(offsets, during: nil) }
        closeConsumer()
        for waiter in machine.withLock({ $0.groupLeft() }) { waiter.resume(returning: nil) }
        // No use of the handle may be in progress (a taken message being converted, a store, a
        // commit, a yield) and none may start once released.
        machine.wait(until: { $0.mayRelease }, then: { $0.handleReleased() })
        queue.destroy()
        client.destroy()
        machine.withLockThenSignal { $0.handleDestroyed() }  // wakes closeBlocking callers
        logger.debug("Kafka consumer closed")
    }

    /// Revokes the assignment (committing processed offsets), commits and leaves the group.
    /// Served by hand rather than with `rd_kafka_consumer_close`, whose internal wait ends
    /// early when the queue was yielded (our wake-up for close) and would leave it half done.
    private func closeConsumer() {
        let handle = client.handle
        guard let closeQueue = rd_kafka_queue_new(handle) else { return }
        defer { rd_kafka_queue_destroy(closeQueue) }
        if let error = rd_kafka_consumer_close_queue(handle, closeQueue) {
            logger.warning("Kafka consumer close: \(KafkaError(consuming: error, operation: "close"))")
            return
        }
        while rd_kafka_consumer_closed(handle) == 0 {
            // Returns at once on an event; the timeout only bounds how often `closed` is
            // re-checked (a yield that arrives after the queue was forwarded here ends one wait early).
            guard let event = rd_kafka_queue_poll(closeQueue, 100) else { continue }
            switch Int32(rd_kafka_event_type(event)) {
            case RD_KAFKA_EVENT_REBALANCE:
                if let partitions = rd_kafka_event_topic_partition_list(event) {
                    Self.rebalance(handle, rd_kafka_event_error(event), partitions, machine: machine, round: round, logger: logger)
                }
            case RD_KAFKA_EVENT_ERROR:
                let error = KafkaError(rd_kafka_event_error(event), operation: "close",
                                       message: String(cString: rd_kafka_event_error_string(event)))
                logger.warning("Kafka consumer close: \(error)")
            default:
                break
            }
            rd_kafka_event_destroy(event)
        }
    }
}
