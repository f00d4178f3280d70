/// Turns lifecycle events into the payloads published on the saga-events topic.
///
/// The engine ships ``SagaLifecycleAvroEncoder`` for the contracts' `com.swiftsaga.saga.*`
/// records once those are generated; tests and other deployments may plug in their own.
public protocol SagaLifecycleEncoder: Sendable {
    /// The encoded event, with its wire type name.
    func encode(_ event: SagaLifecycleEvent) throws -> EncodedPayload
}

extension SagaLifecycleEvent {
    /// The message the outbox holds for this event: keyed by saga id, with the envelope headers.
    func outgoing(topic: String, encoded: EncodedPayload) -> OutgoingMessage {
        var headers = [
            SagaHeader(SagaHeaders.messageID, eventID),
            SagaHeader(SagaHeaders.messageType, encoded.messageType),
            SagaHeader(SagaHeaders.sagaID, sagaID),
            SagaHeader(SagaHeaders.sagaType, sagaType),
        ]
        if let causationID { headers.append(SagaHeader(SagaHeaders.causationID, causationID)) }
        return OutgoingMessage(topic: topic, key: Array(sagaID.utf8), value: encoded.payload, headers: headers)
    }
}
