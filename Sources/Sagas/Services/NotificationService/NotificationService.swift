import Foundation
import Logging
import Logging
import SagaContracts
import SagaCore
import SagaPostgres
import SagaSQLite
import ServiceKit

/// The notification service: records every `SendNotification` (on `notification.commands`)
/// once per subject, kind and recipient, replies at once with the notification's id, and
/// delivers it through a ``NotificationDispatcher`` and its ``NotificationChannel``.
public struct NotificationService: Sendable {
    /// The name replies are sent under and inbox entries recorded with.
    public static let name = "notification-service"
    /// The service's database.
    public let store: ServiceStore
    /// The command processor.
    public let participant: SagaParticipant<ServiceStore>

    /// Opens (creating if needed) the service's database at `path`.
    public init(path: String) async throws {
        self.init(store: try await ServiceStore.sqlite(path: path, migrate: NotificationStore.migrate))
    }

    /// Opens the service's tables in `database`'s schema on PostgreSQL (migrating them, safely when
    /// several replicas start at once); run the store's ``ServiceStore/postgres`` while it is used.
    public init(database: PostgresStoreConfiguration, logger: Logger = Logger(label: "saga.postgres")) async throws {
        try await self.init(store: try await ServiceStore.postgres(database, migrations: NotificationStore.postgresMigrations, logger: logger))
    }

    /// The service on an opened store holding its tables.
    public init(store: ServiceStore) {
        self.store = store
        participant = SagaParticipant(store: store, consumerName: Self.name, handler: Self.handle)
    }

    /// A dispatcher delivering this service's notifications through `channel`.
    public func dispatcher(
        channel: any NotificationChannel, retry: RetryPolicy = .exponential(maxAttempts: 8, initial: .milliseconds(200)),
        logger: Logger = Logger(label: "notification.dispatcher")
    ) -> NotificationDispatcher {
        NotificationDispatcher(store: store, channel: channel, retry: retry, logger: logger)
    }

    /// Every notification about an order or transfer.
    public func notifications(about subjectID: UUID) async throws -> [NotificationRecord] {
        try await store.read("notification") { db in try NotificationStore.about(subjectID: text(subjectID), in: db) }
    }

    @Sendable static func handle(_ command: ParticipantCommand, _ db: ServiceTransaction) throws -> ParticipantReply {
        guard command.messageType == SendNotification.messageType else {
            throw UnexpectedCommandError(service: name, command: command)
        }
        let body = try command.decode(SendNotification.self)
        let id = try NotificationStore.record(subjectID: text(body.subjectId), kind: body.kind.rawValue, recipient: body.recipient,
            parameters: body.parameters, in: db)
        return try .contract(SendNotificationReply(
            metadata: .reply(to: command, source: name), subjectId: body.subjectId, outcome: .succeeded, failure: nil,
            notificationId: UUID(uuidString: id)
        ))
    }
}
