import Foundation
import SagaContracts
import SagaCore
import SagaAvro

/// Start events (`OrderPlaced`, `TransferRequested`, `BillSettlementRequested`) as Kafka records with the contracts' headers.
public enum StartEvent {
    /// The record of `event` on `topic`: keyed by the saga id, with `message-type`, `message-id`,
    /// `saga-id` and `content-type` (single-object; a system in Confluent mode re-frames the record as it publishes it) headers (schemas/README.md, "Kafka records"), and the W3C
    /// `traceparent`/`tracestate` of `trace` when given (the orchestrator continues that trace).
    public static func message<Event: SagaMessage & SagaPayloadCodable>(
        _ event: Event, topic: String, trace: TraceContext? = nil
    ) throws -> OutgoingMessage {
        let sagaID = text(event.metadata.sagaId)
        let value = try event.encodePayload()
        return OutgoingMessage(
            topic: topic, key: Array(sagaID.utf8), value: value,
            headers: [
                SagaHeader(SagaHeaders.messageType, Event.messageType),
                SagaHeader(SagaHeaders.messageID, text(event.metadata.messageId)),
                SagaHeader(SagaHeaders.sagaID, sagaID),
                SagaHeader(SagaHeaders.contentType, SagaAvro.contentType(of: value) ?? SagaContracts.singleObjectContentType),
            ] + (trace?.headers ?? [])
        )
    }

    /// The `TransferRequested` record of a UPI transfer on `topic`, as the UPI front end (the
    /// `api` role) publishes it: the transfer id is the saga id; a resend of the same transfer
    /// keeps `transferID` and takes a new `messageID`.
    public static func transferRequested(
        transferID: UUID, payer: String, payee: String, amountMinor: Int64, currency: String = "INR", note: String? = nil,
        source: String, messageID: UUID = UUID(), trace: TraceContext? = nil, topic: String
    ) throws -> OutgoingMessage {
        let event = TransferRequested(
            metadata: MessageMetadata(messageId: messageID, sagaId: transferID, causationId: nil, occurredAt: Date(), source: source,
                traceParent: trace?.traceparent, replyTo: nil),
            transferId: transferID, payerVpa: payer, payeeVpa: payee, amount: Money(amountMinor: amountMinor, currency: currency),
            note: note
        )
        return try message(event, topic: topic, trace: trace)
    }

    /// The `BillSettlementRequested` record of a bill on `topic`: the bill id is the saga id;
    /// `shares` are (payer VPA, amount in minor units) in the bill's order.
    public static func billSettlementRequested(
        billID: UUID, owner: String, currency: String = "INR", shares: [(payer: String, amountMinor: Int64)], note: String? = nil,
        source: String, messageID: UUID = UUID(), trace: TraceContext? = nil, topic: String
    ) throws -> OutgoingMessage {
        let event = BillSettlementRequested(
            metadata: MessageMetadata(messageId: messageID, sagaId: billID, causationId: nil, occurredAt: Date(), source: source,
                traceParent: trace?.traceparent, replyTo: nil),
            billId: billID, ownerVpa: owner, currency: currency,
            shares: shares.map { BillShare(payerVpa: $0.payer, amountMinor: $0.amountMinor) }, note: note
        )
        return try message(event, topic: topic, trace: trace)
    }
}
