import Foundation
import Logging
import SagaContracts
import SagaCore
import SagaPostgres
import SagaSQLite
import ServiceKit

/// The UPI account service: accounts with VPAs, balances, limits and states; validates,
/// debits, credits and refunds transfers (`ValidateTransfer`, `DebitPayer`, `CreditPayee`,
/// `RefundPayer` on `account.commands`), each at most once per transfer id (see ``AccountStore``),
/// and pays a bill's owner its collected shares (`PayBillOwner`).
public struct AccountService: Sendable {
    /// The name replies are sent under and inbox entries recorded with.
    public static let name = "account-service"
    /// The service's database.
    public let store: ServiceStore
    /// The command processor.
    public let participant: SagaParticipant<ServiceStore>

    /// Opens (creating if needed) the service's database at `path`.
    public init(path: String) async throws {
        self.init(store: try await ServiceStore.sqlite(path: path, migrate: AccountStore.migrate))
    }

    /// Opens the service's tables in `database`'s schema on PostgreSQL (migrating them, safely when
    /// several replicas start at once); run the store's ``ServiceStore/postgres`` while it is used.
    public init(database: PostgresStoreConfiguration, logger: Logger = Logger(label: "saga.postgres")) async throws {
        try await self.init(store: try await ServiceStore.postgres(database, migrations: AccountStore.postgresMigrations, logger: logger))
    }

    /// The service on an opened store holding its tables.
    public init(store: ServiceStore) {
        self.store = store
        participant = SagaParticipant(store: store, consumerName: Self.name, prepare: Self.prepare, handler: Self.handle)
    }

    /// Opens an account (throws ``DomainError`` `VPA_INVALID` or `ACCOUNT_EXISTS`).
    @discardableResult
    public func open(vpa: String, holder: String, currency: String = "INR", perTransactionLimitMinor: Int64 = 10_000_000,
        dailyLimitMinor: Int64 = 100_000_000) async throws -> VPA
    {
        try await store.write("account") { db in
            try AccountStore.open(vpa: vpa, holder: holder, currency: currency, perTransactionLimitMinor: perTransactionLimitMinor,
                dailyLimitMinor: dailyLimitMinor, in: db)
        }
    }

    /// Adds money from outside.
    public func deposit(vpa: String, amountMinor: Int64) async throws {
        try await store.write("account") { db in try AccountStore.deposit(vpa: vpa, amountMinor: amountMinor, in: db) }
    }

    /// Takes money out.
    public func withdraw(vpa: String, amountMinor: Int64) async throws {
        try await store.write("account") { db in try AccountStore.withdraw(vpa: vpa, amountMinor: amountMinor, in: db) }
    }

    /// Freezes, unfreezes or closes an account.
    public func setStatus(vpa: String, _ status: Account.Status) async throws {
        try await store.write("account") { db in try AccountStore.setStatus(vpa: vpa, status, in: db) }
    }

    /// Makes credits to `vpa` fail (for tests of the refund path), or succeed again.
    public func setRejectsCredits(vpa: String, _ rejects: Bool) async throws {
        try await store.write("account") { db in try AccountStore.setRejectsCredits(vpa: vpa, rejects, in: db) }
    }

    /// The account of `vpa`, if any.
    public func account(_ vpa: String) async throws -> Account? {
        try await store.read("account") { db in try AccountStore.account(vpa, in: db) }
    }

    /// The postings of a transfer.
    public func postings(transferID: UUID) async throws -> [Posting] {
        try await store.read("account") { db in try AccountStore.postings(transferID: text(transferID), in: db) }
    }

    /// Customer balances, money in clearing, and net deposits, read in one snapshot.
    /// Conservation means `balances + clearing == netDeposits` always.
    public func totals() async throws -> (balances: Int64, clearing: Int64, netDeposits: Int64) {
        try await store.read("account") { db in
            (try AccountStore.customerBalances(in: db), try AccountStore.inClearing(in: db), try AccountStore.netDeposits(in: db))
        }
    }

    /// Takes the locks of every command a transaction is about to process (the participant's
    /// `prepare`), in one order: each money step's transfer and the account it changes (a
    /// refund's payer, read from its debit). Two batches then never each hold an account the
    /// other waits for. Nothing on SQLite.
    @Sendable public static func prepare(_ commands: [ParticipantCommand], _ db: ServiceTransaction) throws {
        guard db.runsConcurrently else { return }
        var keys: [String] = []
        for command in commands {
            switch command.messageType {
            case DebitPayer.messageType:
                let body = try command.decode(DebitPayer.self)
                keys += [AccountStore.transferKey(text(body.transferId)), AccountStore.accountKey(body.payerVpa)]
            case CreditPayee.messageType:
                let body = try command.decode(CreditPayee.self)
                keys += [AccountStore.transferKey(text(body.transferId)), AccountStore.accountKey(body.payeeVpa)]
            case RefundPayer.messageType:
                let transferID = text(try command.decode(RefundPayer.self).transferId)
                keys.append(AccountStore.transferKey(transferID))
                if let payer = try AccountStore.debitedAccount(transferID: transferID, in: db) { keys.append(AccountStore.accountKey(payer)) }
            case PayBillOwner.messageType:
                let body = try command.decode(PayBillOwner.self)
                keys += body.shareTransferIds.map { AccountStore.transferKey(text($0)) } + [AccountStore.accountKey(body.ownerVpa)]
            default:
                continue  // a validation reads only; an unknown command is refused by the handler
            }
        }
        try db.lock(keys)
    }

    /// The account service's command handler (what ``participant`` runs), for a participant built
    /// around it, e.g. one that wraps it to inject faults in tests.
    @Sendable public static func handle(_ command: ParticipantCommand, _ db: ServiceTransaction) throws -> ParticipantReply {
        let metadata = try MessageMetadata.reply(to: command, source: name)
        switch command.messageType {
        case ValidateTransfer.messageType:
            let body = try command.decode(ValidateTransfer.self)
            let result = try AccountStore.validate(transferID: text(body.transferId), payer: body.payerVpa, payee: body.payeeVpa,
                amountMinor: body.amount.amountMinor, currency: body.amount.currency, in: db)
            return try .contract(ValidateTransferReply(
                metadata: metadata, transferId: body.transferId, outcome: result.outcome, failure: result.failure))
        case DebitPayer.messageType:
            let body = try command.decode(DebitPayer.self)
            let result = try AccountStore.debit(transferID: text(body.transferId), payer: body.payerVpa,
                amountMinor: body.amount.amountMinor, currency: body.amount.currency, in: db)
            return try .contract(DebitPayerReply(metadata: metadata, transferId: body.transferId, outcome: result.outcome,
                failure: result.failure, debitId: result.resultID.flatMap { UUID(uuidString: $0) }))
        case CreditPayee.messageType:
            let body = try command.decode(CreditPayee.self)
            let result = try AccountStore.credit(transferID: text(body.transferId), payee: body.payeeVpa, in: db)
            return try .contract(CreditPayeeReply(metadata: metadata, transferId: body.transferId, outcome: result.outcome,
                failure: result.failure, creditId: result.resultID.flatMap { UUID(uuidString: $0) }))
        case RefundPayer.messageType:
            let body = try command.decode(RefundPayer.self)
            let result = try AccountStore.refund(transferID: text(body.transferId), in: db)
            return try .contract(RefundPayerReply(metadata: metadata, transferId: body.transferId, outcome: result.outcome,
                failure: result.failure, refundId: result.resultID.flatMap { UUID(uuidString: $0) }))
        case PayBillOwner.messageType:
            let body = try command.decode(PayBillOwner.self)
            let result = try AccountStore.settle(billID: text(body.billId), owner: body.ownerVpa,
                shareTransferIDs: body.shareTransferIds.map(text), amountMinor: body.amount.amountMinor, currency: body.amount.currency, in: db)
            return try .contract(PayBillOwnerReply(metadata: metadata, billId: body.billId, outcome: result.outcome,
                failure: result.failure, settlementId: result.resultID.flatMap { UUID(uuidString: $0) }))
        default:
            throw UnexpectedCommandError(service: name, command: command)
        }
    }
}
