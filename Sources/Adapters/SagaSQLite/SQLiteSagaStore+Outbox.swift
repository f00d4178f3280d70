import SagaCore
import GRDB

extension SQLiteSagaStore {
    /// Writes `messages` to the outbox inside the caller's open transaction, so a service's own
    /// change and the events announcing it commit (or roll back) together — e.g. an order row
    /// and its `OrderPlaced` start event. Ring the relay's doorbell after the transaction commits.
    public static func enqueue(_ messages: [OutgoingMessage], in db: Database) throws {
        _ = try apply(SagaCommit(outbox: messages), in: db)
    }
}
