import Foundation
import PostgresNIO
import SagaCore

extension PostgresTransaction: ParticipantTransaction {
    /// Records the inbox entry; `false` when the message was processed before (nothing written).
    public func recordInbox(_ entry: InboxEntry) throws -> Bool {
        if case .duplicateMessage = try PostgresCommits.apply(SagaCommit(inbox: entry), in: self) { return false }
        return true
    }

    /// Inserts `entries` into the inbox in one statement, sent without waiting: its answer is
    /// read with the next statement's, and each ``recordInbox(_:)`` of one of them then answers
    /// from it.
    public func prerecord(inbox entries: [InboxEntry]) throws {
        try prerecorded.insert(entries, in: self)
    }

    /// The successful reply remembered under `idempotencyKey` (table `participant_reply`).
    public func rememberedSuccess(consumer: String, idempotencyKey: String) throws -> RememberedSuccess? {
        if let known = remembered.get(Self.replyKey(consumer, idempotencyKey)) { return known }
        let result = try query(
            "SELECT idempotency_key, message_type, payload FROM participant_reply WHERE consumer = \(consumer) AND idempotency_key = \(idempotencyKey)")
        let found = try result.rows.first.map { try Self.rememberedSuccess($0, consumer: consumer) }
        remembered.set(Self.replyKey(consumer, idempotencyKey), found?.success)
        return found?.success
    }

    /// Reads the successful replies remembered for `idempotencyKeys` in one statement; the
    /// ``rememberedSuccess(consumer:idempotencyKey:)`` calls that follow answer from it.
    public func prefetchRememberedSuccesses(consumer: String, idempotencyKeys: [String]) throws {
        let wanted = Array(Set(idempotencyKeys).filter { remembered.get(Self.replyKey(consumer, $0)) == nil })
        guard !wanted.isEmpty else { return }
        let rows = try query(
            "SELECT idempotency_key, message_type, payload FROM participant_reply WHERE consumer = \(consumer) AND idempotency_key = ANY(\(wanted))"
        ).rows
        var found: [String: RememberedSuccess] = [:]
        for row in rows {
            let (key, success) = try Self.rememberedSuccess(row, consumer: consumer)
            found[key] = success
        }
        for key in wanted { remembered.set(Self.replyKey(consumer, key), found[key]) }
    }

    /// The key of a remembered reply in ``remembered``.
    private static func replyKey(_ consumer: String, _ idempotencyKey: String) -> String { consumer + "\u{0}" + idempotencyKey }

    private static func rememberedSuccess(_ row: PostgresRandomAccessRow, consumer: String) throws -> (key: String, success: RememberedSuccess) {
        let key = try PostgresRowReader(row: row, table: "participant_reply", key: consumer)("idempotency_key", String.self)
        let read = PostgresRowReader(row: row, table: "participant_reply", key: "\(consumer)/\(key)")
        guard let type = try read("message_type", String?.self), let payload = try read("payload", Data?.self) else {
            return (key, RememberedSuccess(payload: nil))
        }
        return (key, RememberedSuccess(payload: EncodedPayload(messageType: type, payload: Array(payload))))
    }

    /// Remembers a successful reply; the first one for a key stays.
    public func rememberSuccess(consumer: String, idempotencyKey: String, payload: EncodedPayload?) throws {
        // The store keeps the first reply for a key; a key read and found absent now has this one.
        remembered.fillIfAbsent(Self.replyKey(consumer, idempotencyKey), RememberedSuccess(payload: payload))
        let data = payload.map { Data($0.payload) }
        try send("""
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
