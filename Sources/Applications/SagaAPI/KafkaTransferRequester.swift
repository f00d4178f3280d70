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

    private let publication: StartPublication
    private let topic: String
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
        publication = StartPublication(producer: producer, ledger: ledger, outgoing: outgoing)
        self.topic = topic
        self.source = source
    }

    /// Publishes the transfer's `TransferRequested` (unless `idempotencyKey` repeats an acknowledged one).
    public func requestTransfer(
        _ transfer: TransferRequest, idempotencyKey: IdempotencyKey?, trace: TraceContext
    ) async throws(Problem) -> SagaAcceptance {
        let transferID = idempotencyKey?.sagaID(kind: Self.kind) ?? UUID()
        let subject = StartPublication.Subject(kind: Self.kind, event: "TransferRequested", idMember: "transferId") { first in
            "Idempotency-Key \(idempotencyKey?.value ?? "") was used for another transfer (\(first)); use a new key for a new transfer"
        }
        let (source, topic) = (self.source, self.topic)
        return try await publication.publish(
            subject, key: idempotencyKey?.value, sagaID: text(transferID), request: transfer.json.serialized, topic: topic
        ) { messageID in
            try StartEvent.transferRequested(
                transferID: transferID, payer: transfer.payer.value, payee: transfer.payee.value, amountMinor: transfer.amountMinor,
                currency: transfer.currency, note: transfer.note, source: source, messageID: messageID, trace: trace, topic: topic)
        }
    }
}
