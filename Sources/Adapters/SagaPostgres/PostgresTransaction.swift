import Foundation
import Logging
import NIOCore
import PostgresNIO
import SagaCore

/// An open PostgreSQL transaction on one leased connection, used synchronously from one of the
/// store's blocking threads (as GRDB's `Database` is used on SQLite's writer thread).
///
/// A participant's handler receives it (``PostgresSagaStore/transaction(_:_:)``) and changes the
/// service's own tables with ``query(_:)`` in the same transaction as the engine's inbox entry,
/// remembered reply and outbox rows (the ``ParticipantTransaction`` requirements): one commit
/// covers them all, one error rolls them all back. Each call blocks its thread (never a Swift
/// concurrency thread) until the server answers.
public struct PostgresTransaction: Sendable {
    /// The leased connection, in an open transaction.
    let connection: PostgresConnection
    /// Receives postgres-nio's per-query log.
    let logger: Logger

    /// Runs `query` and returns its rows and the number of rows it changed.
    ///
    /// - Throws: postgres-nio's `PSQLError` (an error of the server, or of the connection).
    @discardableResult
    public func query(_ query: PostgresQuery) throws -> PostgresResult {
        let result = try connection.query(query, logger: logger).wait()
        return PostgresResult(rows: result.rows.map { $0.makeRandomAccess() }, changed: result.metadata.rows ?? 0)
    }

    /// Runs a statement without parameters.
    @discardableResult
    func execute(_ sql: String) throws -> PostgresResult {
        try query(PostgresQuery(unsafeSQL: sql))
    }
}

/// What a statement returned.
public struct PostgresResult: Sendable {
    /// Its rows, with columns by name.
    public var rows: [PostgresRandomAccessRow]
    /// How many rows it inserted, updated or deleted (or returned, for a `SELECT`).
    public var changed: Int
}

extension PostgresTransaction: ParticipantTransaction {
    /// Records the inbox entry; `false` when the message was processed before (nothing written).
    public func recordInbox(_ entry: InboxEntry) throws -> Bool {
        if case .duplicateMessage = try PostgresCommits.apply(SagaCommit(inbox: entry), in: self) { return false }
        return true
    }

    /// The successful reply remembered under `idempotencyKey` (table `participant_reply`).
    public func rememberedSuccess(consumer: String, idempotencyKey: String) throws -> RememberedSuccess? {
        let result = try query(
            "SELECT message_type, payload FROM participant_reply WHERE consumer = \(consumer) AND idempotency_key = \(idempotencyKey)")
        guard let row = result.rows.first else { return nil }
        let read = PostgresRowReader(row: row, table: "participant_reply", key: "\(consumer)/\(idempotencyKey)")
        guard let type = try read("message_type", String?.self), let payload = try read("payload", Data?.self) else {
            return RememberedSuccess(payload: nil)
        }
        return RememberedSuccess(payload: EncodedPayload(messageType: type, payload: Array(payload)))
    }

    /// Remembers a successful reply; the first one for a key stays.
    public func rememberSuccess(consumer: String, idempotencyKey: String, payload: EncodedPayload?) throws {
        let data = payload.map { Data($0.payload) }
        try query("""
            INSERT INTO participant_reply (consumer, idempotency_key, message_type, payload, created_at)
            VALUES (\(consumer), \(idempotencyKey), \(payload?.messageType), \(data), \(Date().timeIntervalSince1970))
            ON CONFLICT DO NOTHING
            """)
    }

    /// Writes `messages` to the outbox inside this open transaction, so a service's own change and
    /// the events announcing it commit (or roll back) together.
    public func enqueue(_ messages: [OutgoingMessage]) throws {
        _ = try PostgresCommits.apply(SagaCommit(outbox: messages), in: self)
    }
}
