import Foundation
import Logging
import SagaContracts
import SagaCore
import SagaPostgres
import SagaSQLite
import ServiceKit

/// The inventory service: products with stock; reserves and releases stock for orders
/// (`ReserveStock`, `ReleaseStock` on `inventory.commands`). Every command runs in one SQLite
/// transaction with its inbox entry and its reply in the outbox.
public struct InventoryService: Sendable {
    /// The name replies are sent under and inbox entries recorded with.
    public static let name = "inventory-service"
    /// The service's database (its tables, inbox and outbox).
    public let store: ServiceStore
    /// The command processor.
    public let participant: SagaParticipant<ServiceStore>

    /// Opens (creating if needed) the service's database at `path`.
    public init(path: String) async throws {
        self.init(store: try await ServiceStore.sqlite(path: path, migrate: InventoryStore.migrate))
    }

    /// Opens the service's tables in `database`'s schema on PostgreSQL (migrating them, safely when
    /// several replicas start at once); run the store's ``ServiceStore/postgres`` while it is used.
    public init(database: PostgresStoreConfiguration, logger: Logger = Logger(label: "saga.postgres")) async throws {
        try await self.init(store: try await ServiceStore.postgres(database, migrations: InventoryStore.postgresMigrations, logger: logger))
    }

    /// The service on an opened store holding its tables.
    public init(store: ServiceStore) {
        self.store = store
        participant = SagaParticipant(store: store, consumerName: Self.name, prepare: Self.prepare, handler: Self.handle)
    }

    /// Adds `units` of a product (creating it).
    public func addStock(productID: UUID, sku: String, units: Int64) async throws {
        try await store.write("inventory") { db in try InventoryStore.addStock(productID: text(productID), sku: sku, units: units, in: db) }
    }

    /// Units of `productID` available to reserve (nil for an unknown product).
    public func available(_ productID: UUID) async throws -> Int64? {
        try await store.read("inventory") { db in try InventoryStore.available(productID: text(productID), in: db) }
    }

    /// The reservation of an order, if any.
    public func reservation(orderID: UUID) async throws -> Reservation? {
        try await store.read("inventory") { db in try InventoryStore.reservation(orderID: text(orderID), in: db) }
    }

    /// Reserves stock for an order outside a saga (the same rules as the command).
    public func reserve(orderID: UUID, lines: [StockLine]) async throws -> StepResult {
        try await store.write("inventory") { db in try InventoryStore.reserve(orderID: text(orderID), lines: lines, in: db) }
    }

    /// Releases a reservation outside a saga (the same rules as the command).
    public func release(reservationID: String) async throws -> StepResult {
        try await store.write("inventory") { db in try InventoryStore.release(reservationID: reservationID, in: db) }
    }

    /// Takes the locks of every command a transaction is about to process (the participant's
    /// `prepare`), in one order: each command's order and the products it changes (a release's,
    /// read from its reservation). Two batches then never each hold a product row the other
    /// waits for. Nothing on SQLite.
    @Sendable public static func prepare(_ commands: [ParticipantCommand], _ db: ServiceTransaction) throws {
        guard db.runsConcurrently else { return }
        var keys: [String] = []
        for command in commands {
            switch command.messageType {
            case ReserveStock.messageType:
                let body = try command.decode(ReserveStock.self)
                keys += [InventoryStore.orderKey(text(body.orderId))] + body.items.map { InventoryStore.productKey(text($0.productId)) }
            case ReleaseStock.messageType:
                let orderID = text(try command.decode(ReleaseStock.self).orderId)
                keys.append(InventoryStore.orderKey(orderID))
                keys += try InventoryStore.reservation(orderID: orderID, in: db)?.lines.map { InventoryStore.productKey($0.productID) } ?? []
            default:
                continue  // an unknown command is refused by the handler
            }
        }
        try db.lock(keys)
    }

    /// The inventory service's command handler (what ``participant`` runs), for a participant built
    /// around it, e.g. one that wraps it to inject faults in tests.
    @Sendable public static func handle(_ command: ParticipantCommand, _ db: ServiceTransaction) throws -> ParticipantReply {
        switch command.messageType {
        case ReserveStock.messageType:
            let body = try command.decode(ReserveStock.self)
            let lines = body.items.map { StockLine(productID: text($0.productId), quantity: Int64($0.quantity)) }
            let result = try InventoryStore.reserve(orderID: text(body.orderId), lines: lines, in: db)
            return try .contract(ReserveStockReply(
                metadata: .reply(to: command, source: name), orderId: body.orderId, outcome: result.outcome,
                failure: result.failure, reservationId: result.resultID.flatMap { UUID(uuidString: $0) }
            ))
        case ReleaseStock.messageType:
            let body = try command.decode(ReleaseStock.self)
            let result = try InventoryStore.release(orderID: text(body.orderId), in: db)
            return try .contract(ReleaseStockReply(
                metadata: .reply(to: command, source: name), orderId: body.orderId, outcome: result.outcome, failure: result.failure
            ))
        default:
            throw UnexpectedCommandError(service: name, command: command)
        }
    }
}
