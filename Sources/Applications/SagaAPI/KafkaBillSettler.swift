import Foundation
import Kafka
import SagaContracts
import SagaCore
import ServiceKit

/// Starts bill settlements by publishing `BillSettlementRequested` to Kafka and waiting for the
/// broker's acknowledgement. The bill id is the saga id and the idempotency key: a second request
/// for a bill publishes nothing and answers 200 (or 422 when its body differs from the first).
public struct KafkaBillSettler: BillSettling {
    /// The idempotency kind of bill settlements.
    public static let kind = "bill"

    private let publication: StartPublication
    private let topic: String
    private let source: String

    /// Publishes to `topic` through `producer`, remembering bills in `ledger`; `source` is the
    /// events' `metadata.source`; `outgoing` gives each record its last form before it is sent.
    public init(
        producer: KafkaProducer, topic: String = SagaTopics().billSettlementRequested, ledger: IdempotencyLedger,
        source: String = "saga-api", outgoing: @escaping @Sendable (OutgoingMessage) -> OutgoingMessage = { $0 }
    ) {
        publication = StartPublication(producer: producer, ledger: ledger, outgoing: outgoing)
        self.topic = topic
        self.source = source
    }

    /// Publishes the bill's `BillSettlementRequested` (unless it was published before).
    public func settle(billID: UUID, _ bill: BillSettlementRequest, trace: TraceContext) async throws(Problem) -> SagaAcceptance {
        let sagaID = text(billID)
        let subject = StartPublication.Subject(kind: Self.kind, event: "BillSettlementRequested", idMember: "billId") { first in
            "bill \(sagaID) was already submitted with another body (\(first)); a bill is settled once, so use a new bill id"
        }
        let (source, topic) = (self.source, self.topic)
        return try await publication.publish(subject, key: sagaID, sagaID: sagaID, request: bill.json.serialized, topic: topic) { messageID in
            try StartEvent.billSettlementRequested(
                billID: billID, owner: bill.owner.value, currency: bill.currency, shares: bill.shares.map { ($0.payer.value, $0.amountMinor) },
                note: bill.note, source: source, messageID: messageID, trace: trace, topic: topic)
        }
    }
}
