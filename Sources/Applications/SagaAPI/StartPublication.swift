import Foundation
import Kafka
import SagaCore

/// Publishes the start event of a saga that has no store of its own to ask (a transfer, a bill
/// settlement), at most once per idempotency key: the ``IdempotencyLedger`` tells a repeat (200,
/// nothing published) from a first request (202); of concurrent requests with one key exactly one
/// gets 202. A request whose event was not acknowledged can be sent again with the same key: it
/// publishes the same message (same message id, deduplicated by the orchestrator) and answers 200.
struct StartPublication: Sendable {
    let producer: KafkaProducer
    let ledger: IdempotencyLedger
    /// Gives each record its last form before it is sent (a system in Confluent mode re-frames it).
    let outgoing: @Sendable (OutgoingMessage) -> OutgoingMessage

    /// What is started, for the problems' wording: `transfer`, `bill settlement`.
    struct Subject: Sendable {
        /// The ledger's kind (and the start event's message-id seed).
        var kind: String
        /// The event's name, `TransferRequested`.
        var event: String
        /// The saga id's member in problems, `transferId`.
        var idMember: String
        /// The 422 detail when the key came with another request (given the first request).
        var conflict: @Sendable (_ first: String) -> String
    }

    /// Publishes `record(messageID)` on `topic` for saga `sagaID`, unless `key` repeats an
    /// acknowledged request. Without a key, publishes under a fresh message id.
    func publish(
        _ subject: Subject, key: String?, sagaID: String, request: String, topic: String,
        record: (_ messageID: UUID) throws -> OutgoingMessage
    ) async throws(Problem) -> SagaAcceptance {
        var created = true
        if let key {
            let claim: IdempotencyLedger.Claim
            do {
                claim = try await ledger.claim(kind: subject.kind, key: key, sagaID: sagaID, request: request)
            } catch {
                throw Problem(.internalError, detail: error.description)
            }
            switch claim {
            case .repeated(published: true): return SagaAcceptance(sagaID: sagaID, created: false)
            case .conflict(let first): throw Problem(.idempotencyKeyReused, detail: subject.conflict(first))
            case .new: break
            // Another request with this key claimed it first and is publishing (or failed to):
            // publish again (the same message id, deduplicated downstream) and answer as a repeat.
            case .repeated(published: false): created = false
            }
        }
        // A keyed request's message id is stable, so a retried publication is deduplicated downstream.
        let stable = UUID(uuidString: DeterministicUUID.make("\(subject.kind)-requested:" + sagaID))
        let messageID = key == nil ? UUID() : stable ?? UUID()
        do {
            _ = try await producer.send(KafkaMessage(outgoing(try record(messageID))))
        } catch {
            throw Problem(.brokerUnavailable, detail: "\(subject.event) for saga \(sagaID) was not acknowledged on \(topic): \(error)",
                extensions: [.init(subject.idMember, .string(sagaID))])
        }
        if let key {
            do {
                try await ledger.markPublished(kind: subject.kind, key: key)
            } catch {
                throw Problem(.internalError, detail: "saga \(sagaID) was published but \(error.description); send the request again")
            }
        }
        return SagaAcceptance(sagaID: sagaID, created: created)
    }
}
