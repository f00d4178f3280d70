import Foundation
import Kafka
import SagaContracts
import SagaCore
import SagaAvro
import ServiceKit

/// Starts UPI transfers by publishing `TransferRequested` to Kafka and waiting for the broker's
/// acknowledgement (bounded by the producer's `deliveryTimeout`). The transfer id is the saga id.
///
/// With an idempotency key the transfer id and the event's message id are derived from the key,
/// and the ``IdempotencyLedger`` tells a repeat (200, nothing published) from a first request
/// (202): of concurrent requests with one key exactly one gets 202. A request whose event was not
/// acknowledged can be retried with the same key: it publishes the same message again (which the
/// orchestrator deduplicates) and answers 200.
public struct KafkaTransferRequester: TransferRequesting {
    /// The idempotency kind of transfers (the ``IdempotencyKey/sagaID(kind:)`` prefix).
    public static let kind = "transfer"

    private let producer: KafkaProducer
    private let outgoing: @Sendable (OutgoingMessage) -> OutgoingMessage
    private let topic: String
    private let ledger: IdempotencyLedger
    private let source: String

    /// Publishes to `topic` through `producer`, remembering keys in `ledger`; `source` is the
    /// events' `metadata.source`.
    ///
    /// `outgoing` gives each record its last form before it is sent (a system in Confluent mode
    /// re-frames its value there).
    public init(
        producer: KafkaProducer, topic: String = SagaTopics().transferRequested, ledger: IdempotencyLedger, source: String = "saga-api",
        outgoing: @escaping @Sendable (OutgoingMessage) -> OutgoingMessage = { $0 }
    ) {
        self.outgoing = outgoing
        self.producer = producer
        self.topic = topic
        self.ledger = ledger
        self.source = source
    }

    /// Publishes the transfer's `TransferRequested` (unless `idempotencyKey` repeats an acknowledged one).
    public func requestTransfer(
        _ transfer: TransferRequest, idempotencyKey: IdempotencyKey?, trace: TraceContext
    ) async throws(Problem) -> SagaAcceptance {
        let transferID = idempotencyKey?.sagaID(kind: Self.kind) ?? UUID()
        let sagaID = text(transferID)
        var created = true
        if let idempotencyKey {
            let claim: IdempotencyLedger.Claim
            do {
                claim = try await ledger.claim(kind: Self.kind, key: idempotencyKey.value, sagaID: sagaID, request: transfer.json.serialized)
            } catch {
                throw Problem(.internalError, detail: error.description)
            }
            switch claim {
            case .repeated(published: true): return SagaAcceptance(sagaID: sagaID, created: false)
            case .conflict(let first):
                throw Problem(.idempotencyKeyReused,
                    detail: "Idempotency-Key \(idempotencyKey.value) was used for another transfer (\(first)); use a new key for a new transfer")
            case .new: break
            // Another request with this key claimed it first and is publishing (or failed to):
            // publish again (the same message id, deduplicated downstream) and answer as a repeat.
            case .repeated(published: false): created = false
            }
        }
        // A keyed request's message id is stable, so a retried publication is deduplicated downstream.
        let messageID = idempotencyKey.map { _ in UUID(uuidString: DeterministicUUID.make("transfer-requested:" + sagaID)) ?? UUID() } ?? UUID()
        do {
            let record = try StartEvent.transferRequested(
                transferID: transferID, payer: transfer.payer.value, payee: transfer.payee.value, amountMinor: transfer.amountMinor,
                currency: transfer.currency, note: transfer.note, source: source, messageID: messageID, trace: trace, topic: topic)
            _ = try await producer.send(KafkaMessage(outgoing(record)))
        } catch {
            throw Problem(.brokerUnavailable, detail: "TransferRequested for transfer \(sagaID) was not acknowledged on \(topic): \(error)",
                extensions: [.init("transferId", .string(sagaID))])
        }
        if let idempotencyKey {
            do {
                try await ledger.markPublished(kind: Self.kind, key: idempotencyKey.value)
            } catch {
                throw Problem(.internalError, detail: "transfer \(sagaID) was published but \(error.description); retry with the same key")
            }
        }
        return SagaAcceptance(sagaID: sagaID, created: created)
    }
}
