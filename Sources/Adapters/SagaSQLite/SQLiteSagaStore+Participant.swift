import Foundation
import GRDB
import SagaCore

/// The SQLite store's transaction as a participant's handler receives it: GRDB's open
/// `Database`, in which the service changes its own tables, and where the engine records its
/// inbox entry, remembered replies and outbox rows (``ParticipantTransaction``).
extension Database: ParticipantTransaction {

    /// Records the inbox entry; `false` when the message was processed before.
    public func recordInbox(_ entry: InboxEntry) throws -> Bool {
        if case .duplicateMessage = try SQLiteSagaStore.apply(SagaCommit(inbox: entry), in: self) { return false }
        return true
    }

    /// The successful reply remembered under `idempotencyKey` (table `participant_reply`).
    public func rememberedSuccess(consumer: String, idempotencyKey: String) throws -> RememberedSuccess? {
        guard let row = try cachedRow(
            sql: "SELECT message_type, payload FROM participant_reply WHERE consumer = ? AND idempotency_key = ?",
            arguments: [consumer, idempotencyKey]
        ) else { return nil }
        let type: String? = row["message_type"]
        let payload: Data? = row["payload"]
        guard let type, let payload else { return RememberedSuccess(payload: nil) }
        return RememberedSuccess(payload: EncodedPayload(messageType: type, payload: Array(payload)))
    }

    /// Remembers a successful reply; the first one for a key stays.
    public func rememberSuccess(consumer: String, idempotencyKey: String, payload: EncodedPayload?) throws {
        try executeCached(
            sql: """
                INSERT INTO participant_reply (consumer, idempotency_key, message_type, payload, created_at)
                VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """,
            arguments: [
                consumer, idempotencyKey, payload?.messageType, payload.map { Data($0.payload) }, Date().timeIntervalSince1970,
            ]
        )
    }

    /// Writes `messages` to the outbox inside this open transaction, so a service's own change
    /// and the events announcing it commit (or roll back) together, e.g. an order row and its
    /// `OrderPlaced` start event. Ring the relay's doorbell after the transaction commits.
    public func enqueue(_ messages: [OutgoingMessage]) throws {
        _ = try SQLiteSagaStore.apply(SagaCommit(outbox: messages), in: self)
    }
}

extension SQLiteSagaStore: ParticipantStore {
    /// Runs `body` in one write transaction of the pool.
    public func transaction<Result: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (Database) throws -> Result
    ) async throws -> Result {
        do {
            return try await pool.write { db in try body(db) }
        } catch let error as DatabaseError {
            throw Self.wrap(error, operation)
        } catch is CancellationError {
            throw SagaStoreError.cancelled(operation: operation)
        }
    }
    /// A GRDB error a handler's statement met (busy, I/O, a refused statement), as the store's
    /// failure; nil for the handler's own errors.
    public func storeFailure(_ error: any Error, operation: String) -> SagaStoreError? {
        switch error {
        case let error as SagaStoreError: error
        case let error as DatabaseError: Self.wrap(error, operation)
        default: nil
        }
    }
}
