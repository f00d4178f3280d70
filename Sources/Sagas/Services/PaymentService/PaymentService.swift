import Foundation
import Logging
import SagaContracts
import SagaCore
import SagaPostgres
import SagaSQLite
import ServiceKit

/// The payment service: authorizes payments with a deterministic ``PaymentSimulator``
/// (`AuthorizePayment` on `payment.commands`), records every decision, and voids or refunds
/// through its API. One payment per order: a redelivered or repeated command gets the first answer.
public struct PaymentService: Sendable {
    /// The name replies are sent under and inbox entries recorded with.
    public static let name = "payment-service"
    /// The service's database.
    public let store: ServiceStore
    /// The command processor.
    public let participant: SagaParticipant<ServiceStore>
    /// The card processor.
    public let simulator: PaymentSimulator

    /// Opens (creating if needed) the service's database at `path`.
    public init(path: String, simulator: PaymentSimulator = PaymentSimulator()) async throws {
        self.init(store: try await ServiceStore.sqlite(path: path, migrate: PaymentStore.migrate), simulator: simulator)
    }

    /// Opens the service's tables in `database`'s schema on PostgreSQL (migrating them, safely when
    /// several replicas start at once); run the store's ``ServiceStore/postgres`` while it is used.
    public init(database: PostgresStoreConfiguration, simulator: PaymentSimulator = PaymentSimulator(), logger: Logger = Logger(label: "saga.postgres")) async throws {
        try await self.init(store: try await ServiceStore.postgres(database, migrations: PaymentStore.postgresMigrations, logger: logger), simulator: simulator)
    }

    /// The service on an opened store holding its tables.
    public init(store: ServiceStore, simulator: PaymentSimulator = PaymentSimulator()) {
        self.store = store
        self.simulator = simulator
        participant = SagaParticipant(store: store, consumerName: Self.name) { command, db in
            try Self.handle(command, db, simulator: simulator)
        }
    }

    /// Sets a customer's limit (amounts above it are declined).
    public func setLimit(customerID: UUID, limitMinor: Int64) async throws {
        try await store.write("payment") { db in try PaymentStore.setLimit(customerID: text(customerID), limitMinor: limitMinor, in: db) }
    }

    /// Authorizes a payment outside a saga (the same rules as the command).
    public func authorize(orderID: UUID, customerID: UUID, amount: Money, token: String) async throws -> StepResult {
        let simulator = self.simulator
        return try await store.write("payment") { db in
            try PaymentStore.authorize(orderID: text(orderID), customerID: text(customerID), amountMinor: amount.amountMinor,
                currency: amount.currency, token: token, simulator: simulator, in: db)
        }
    }

    /// Voids an authorized payment; returns whether one was voided (idempotent).
    public func void(orderID: UUID) async throws -> Bool {
        try await store.write("payment") { db in try PaymentStore.cancel(orderID: text(orderID), refund: false, in: db) }
    }

    /// Refunds an authorized payment; returns whether one was refunded (idempotent).
    public func refund(orderID: UUID) async throws -> Bool {
        try await store.write("payment") { db in try PaymentStore.cancel(orderID: text(orderID), refund: true, in: db) }
    }

    /// The payment of an order, if any.
    public func payment(orderID: UUID) async throws -> Payment? {
        try await store.read("payment") { db in try PaymentStore.payment(orderID: text(orderID), in: db) }
    }

    /// Every recorded payment.
    public func payments() async throws -> [Payment] {
        try await store.read("payment") { db in try PaymentStore.all(in: db) }
    }

    static func handle(_ command: ParticipantCommand, _ db: ServiceTransaction, simulator: PaymentSimulator) throws -> ParticipantReply {
        guard command.messageType == AuthorizePayment.messageType else {
            throw UnexpectedCommandError(service: name, command: command)
        }
        let body = try command.decode(AuthorizePayment.self)
        let result = try PaymentStore.authorize(
            orderID: text(body.orderId), customerID: text(body.customerId), amountMinor: body.amount.amountMinor,
            currency: body.amount.currency, token: body.paymentToken, simulator: simulator, in: db
        )
        return try .contract(AuthorizePaymentReply(
            metadata: .reply(to: command, source: name), orderId: body.orderId, outcome: result.outcome, failure: result.failure,
            authorizationId: result.resultID.flatMap { UUID(uuidString: $0) }
        ))
    }
}
