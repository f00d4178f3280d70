import AccountService
import Foundation
import SagaAvro
import SagaContracts
import SagaCore
import SagaPostgres
import SagaServicesTestSupport
import SagaTestSupport
import ServiceKit
import Testing

/// Two replicas of the account service on one PostgreSQL schema (two `AccountService` values,
/// each with its own connection pool, started at once) process the same commands concurrently,
/// as after a rebalance: the database holds the rules, so every transfer is debited and
/// credited once, the payer is never overdrawn, and money is conserved.
@Suite(.enabled(if: TestDatabase.url != nil, Comment(rawValue: TestDatabase.missing)))
struct AccountReplicaTests {
    static let transfers = 40, amount: Int64 = 400, opening: Int64 = 10_000

    func command(_ payload: some SagaPayloadCodable, sagaID: UUID, messageID: UUID) throws -> InboundMessage {
        try ContractCommand.inbound(payload, sagaID: sagaID, messageID: messageID)
    }

    func metadata(_ sagaID: UUID) -> MessageMetadata { ContractCommand.metadata(sagaID) }

    /// Each command goes to both replicas at once: the same message (a redelivery) for even
    /// transfers, a new message of the same step (a resend) for odd ones.
    func processOnBoth(_ replicas: (AccountService, AccountService), _ payload: some SagaPayloadCodable & Sendable, transfer: UUID, index: Int)
        async throws -> (ParticipantResult, ParticipantResult)
    {
        let first = try command(payload, sagaID: transfer, messageID: UUID())
        let second = index.isMultiple(of: 2) ? first : try command(payload, sagaID: transfer, messageID: UUID())
        async let a = replicas.0.participant.process(first)
        async let b = replicas.1.participant.process(second)
        return (try await a, try await b)
    }

    @Test func twoReplicasPostEachTransferOnceAndNeverOverdraw() async throws {
        let configuration = try ServiceDatabaseKind.configuration(schema: TestDatabase.freshSchema("acct"))
        // Both replicas start at once: the migration runs once, under the schema's lock.
        async let openedA = AccountService(database: configuration, logger: Broker.logger)
        async let openedB = AccountService(database: configuration, logger: Broker.logger)
        let replicas = try await (openedA, openedB)
        let pools = [replicas.0, replicas.1].compactMap(\.store.postgres).map { postgres in Task { try await postgres.run() } }
        defer { pools.forEach { $0.cancel() } }

        try await replicas.0.open(vpa: "alice@okbank", holder: "Alice")
        try await replicas.1.open(vpa: "bob@okbank", holder: "Bob")
        try await replicas.0.deposit(vpa: "alice@okbank", amountMinor: Self.opening)
        let ids = (0..<Self.transfers).map { _ in UUID() }
        let money = Money(amountMinor: Self.amount, currency: "INR")

        let debits = try await withThrowingTaskGroup(of: (Int, ParticipantResult, ParticipantResult).self) { group in
            for (index, transfer) in ids.enumerated() {
                let debit = DebitPayer(metadata: metadata(transfer), transferId: transfer, payerVpa: "alice@okbank", amount: money)
                group.addTask {
                    let (a, b) = try await processOnBoth(replicas, debit, transfer: transfer, index: index)
                    return (index, a, b)
                }
            }
            return try await group.reduce(into: [Int: (ParticipantResult, ParticipantResult)]()) { $0[$1.0] = ($1.1, $1.2) }
        }
        var debited: [UUID] = []
        for (index, transfer) in ids.enumerated() {
            let (a, b) = try #require(debits[index])
            let postings = try await replicas.0.postings(transferID: transfer)
            // The same message runs once (the other replica sees a duplicate); a resent step gets the same answer.
            if index.isMultiple(of: 2) { #expect([a, b].filter { $0 == .duplicate }.count == 1, "transfer \(index): \(a), \(b)") }
            if postings.isEmpty {
                #expect([a, b].allSatisfy { $0 == .replied(.businessFailure) || $0 == .duplicate }, "refused transfer \(index): \(a), \(b)")
            } else {
                #expect(postings.map(\.kind) == ["DEBIT"], "transfer \(index)")
                #expect([a, b].contains(.replied(.succeeded)), "debited transfer \(index): \(a), \(b)")
                debited.append(transfer)
            }
        }
        #expect(debited.count == Int(Self.opening / Self.amount), "exactly what the balance allows is debited")
        #expect(try await replicas.1.account("alice@okbank")?.balanceMinor == Self.opening - Int64(debited.count) * Self.amount)

        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, transfer) in debited.enumerated() {
                let credit = CreditPayee(metadata: metadata(transfer), transferId: transfer, payeeVpa: "bob@okbank", amount: money,
                    debitId: transfer)
                group.addTask { _ = try await processOnBoth(replicas, credit, transfer: transfer, index: index) }
            }
            try await group.waitForAll()
        }
        for transfer in debited {
            #expect(try await replicas.1.postings(transferID: transfer).map(\.kind).sorted() == ["CREDIT", "DEBIT"])
        }
        let totals = try await replicas.0.totals()
        #expect(totals.balances == Self.opening && totals.clearing == 0 && totals.netDeposits == Self.opening)
        #expect(try await replicas.0.account("alice@okbank")?.balanceMinor == 0)
        #expect(try await replicas.0.account("bob@okbank")?.balanceMinor == Int64(debited.count) * Self.amount)
    }

    /// Two batches of commands in one transaction each, whose debits take the same two accounts
    /// in opposite orders: the first debits Alice and pauses, the second (Carol, then Alice)
    /// starts, then the first goes on to Carol. Each batch takes its accounts' locks first, in one
    /// order (`AccountService.prepare`), so the second waits before it holds anything and both
    /// commit; without that, each held the account the other waited for and PostgreSQL failed one
    /// of them as a deadlock.
    @Test func batchesTakingAccountsInOppositeOrdersDoNotDeadlock() async throws {
        let fixture = try await AccountStoreTests.Fixture.open(.postgres)
        defer { fixture.close() }
        let pause = TransactionPause()
        let ids = (0..<4).map { _ in UUID() }
        let pausing = text(ids[0])
        let participant = SagaParticipant(store: fixture.store, consumerName: AccountService.name, prepare: AccountService.prepare) {
            command, db in
            let reply = try AccountService.handle(command, db)
            if command.sagaID == pausing { pause.pauseHere() }
            return reply
        }
        let money = Money(amountMinor: 100, currency: "INR")
        func debit(_ index: Int, _ payer: String) throws -> InboundMessage {
            try command(DebitPayer(metadata: metadata(ids[index]), transferId: ids[index], payerVpa: payer, amount: money),
                sagaID: ids[index], messageID: UUID())
        }
        let results = try await interleave(
            first: [try debit(0, "alice@okbank"), try debit(1, "carol@okbank")],
            second: [try debit(2, "carol@okbank"), try debit(3, "alice@okbank")], on: participant, pause: pause, store: fixture.store)
        #expect(results == Array(repeating: .replied(.succeeded), count: 4), "\(results)")
        #expect(try await fixture.balance("carol@okbank") == 300)
        #expect(try await fixture.balance("alice@okbank") == 9_800)
        #expect(try await fixture.conserved())
    }
}
