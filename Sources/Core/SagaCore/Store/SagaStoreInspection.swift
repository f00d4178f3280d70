import Foundation

/// What a store holds, read without changing it (no migration, no write): for `sagactl doctor`
/// and operators. `SagaSQLite` reads it from a file, `SagaPostgres` from a schema.
public struct SagaStoreInspection: Sendable, Hashable {
    /// The engine's schema migrations this build knows, in order.
    public var knownMigrations: [String]
    /// The migrations recorded in the store (empty when it was never migrated).
    public var appliedMigrations: [String]
    /// Rows of the outbox not yet published to Kafka.
    public var pendingOutbox: Int
    /// When the oldest unpublished outbox row was written.
    public var oldestPendingOutbox: Date?
    /// Sagas by status (`running`, `completed`, …); empty for a service's own database.
    public var sagasByStatus: [String: Int]

    /// Creates an inspection from what was read.
    public init(
        knownMigrations: [String], appliedMigrations: [String] = [], pendingOutbox: Int = 0, oldestPendingOutbox: Date? = nil,
        sagasByStatus: [String: Int] = [:]
    ) {
        self.knownMigrations = knownMigrations
        self.appliedMigrations = appliedMigrations
        self.pendingOutbox = pendingOutbox
        self.oldestPendingOutbox = oldestPendingOutbox
        self.sagasByStatus = sagasByStatus
    }

    /// Known migrations the store has not had yet (opening it with this build applies them).
    public var missingMigrations: [String] { knownMigrations.filter { !appliedMigrations.contains($0) } }
    /// Migrations recorded in the store that this build does not know: a newer build wrote it.
    public var unknownMigrations: [String] { appliedMigrations.filter { !knownMigrations.contains($0) } }
}
