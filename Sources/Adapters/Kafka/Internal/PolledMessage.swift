import CRdKafka

/// A message as `rd_kafka_consumer_poll` returned it, not yet converted. Whoever holds the
/// value owns the message: it is converted (``convert(topic:)``) and destroyed exactly once,
/// by the consumer of the handoff, so the owned copies of key and value are allocated on the
/// thread that later frees them (glibc's malloc then stays thread-local instead of taking
/// the polling thread's arena lock for every freed value).
///
/// `@unchecked Sendable`: a librdkafka message may be read and destroyed from any thread;
/// the value moves between threads only through `ConsumerCore`'s lock-guarded handoff, and
/// whoever takes it converts and destroys it while the handle cannot be destroyed (see
/// ``ConsumerStateMachine``).
struct PolledMessage: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<rd_kafka_message_t>

    var partition: Int32 { pointer.pointee.partition }

    func destroy() { rd_kafka_message_destroy(pointer) }

    /// Copies the message into Swift values (owned bytes; headers only when it has any).
    func convert(topic: String) -> KafkaConsumerMessage {
        let message = pointer.pointee
        let key = message.key.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: message.key_len)) }
        let value = message.payload.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: message.len)) }
        var headers: [KafkaHeader] = []
        var list: OpaquePointer? = nil
        if rd_kafka_message_headers(pointer, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list {
            var index = 0
            var name: UnsafePointer<CChar>? = nil
            var bytes: UnsafeRawPointer? = nil
            var size = 0
            while rd_kafka_header_get_all(list, index, &name, &bytes, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                let headerValue = bytes.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: size)) }
                headers.append(KafkaHeader(name: name.map { String(cString: $0) } ?? "", value: headerValue))
                index += 1
            }
        }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(pointer, &timestampType)
        return KafkaConsumerMessage(
            topic: topic, partition: message.partition, offset: message.offset,
            key: key, value: value, headers: headers,
            timestampMilliseconds: timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp)
    }
}

/// A polled message in the consumer's handoff, with its topic-partition read once by the
/// event thread (so the state machine can drop a revoked partition's messages, and track the
/// one in flight, without calling librdkafka under its lock).
struct QueuedMessage: ConsumerQueuedMessage, Sendable {
    let polled: PolledMessage
    let topicPartition: TopicPartition

    func destroy() { polled.destroy() }

    func convert() -> KafkaConsumerMessage { polled.convert(topic: topicPartition.topic) }
}
