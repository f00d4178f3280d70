import BillSettlement
import Foundation
import Kafka
import SagaContracts
import SagaCore
import SagaTestSupport
import ServiceKit

/// The crash test's bills, between ``TransferPlan``'s accounts: each owed by 1 to 4 other
/// accounts, drawn from a seeded generator. A bill settles exactly when its owner accepts credits;
/// otherwise every share is collected and then refunded.
struct BillPlan: Sendable {
    /// One planned bill.
    struct Bill: Sendable, Hashable {
        var id: UUID
        var owner: String
        var shares: [(payer: String, amountMinor: Int64)]

        static func == (a: Bill, b: Bill) -> Bool { a.id == b.id }
        func hash(into hasher: inout Hasher) { hasher.combine(id) }

        /// The transfer id of each share, as the saga names it (from its data, not recomputed here).
        var shareTransferIDs: [String] { data.shares.map(\.transferID) }

        var data: BillSettlementData { BillSettlementData(event) }

        var event: BillSettlementRequested {
            BillSettlementRequested(
                metadata: MessageMetadata(messageId: UUID(), sagaId: id, causationId: nil, occurredAt: Date(), source: "system-crash-tests",
                    traceParent: nil, replyTo: nil),
                billId: id, ownerVpa: owner, currency: "INR",
                shares: shares.map { BillShare(payerVpa: $0.payer, amountMinor: $0.amountMinor) }, note: nil)
        }
    }

    let bills: [Bill]

    /// `count` bills, each with a random owner and 1–4 distinct other payers, shares of 1…20,000.
    init(count: Int, seed: UInt64) {
        var random = SplitMix64(seed: seed ^ 0xB111)
        let vpas = TransferPlan.accounts.map(\.vpa)
        bills = (0..<count).map { _ in
            let owner = vpas[Int.random(in: 0..<vpas.count, using: &random)]
            let payers = vpas.filter { $0 != owner }.shuffled(using: &random).prefix(Int.random(in: 1...4, using: &random))
            return Bill(id: random.nextUUID(), owner: owner,
                shares: payers.map { ($0, Int64.random(in: 1...20_000, using: &random)) })
        }
    }

    /// Whether `bill` settles (its owner accepts credits) rather than being refunded.
    static func settles(_ bill: Bill) -> Bool {
        !(TransferPlan.accounts.first { $0.vpa == bill.owner }?.rejectsCredits ?? false)
    }

    /// Moves what the settled bills move into `balances`.
    func apply(to balances: inout [String: Int64]) {
        for bill in bills where Self.settles(bill) {
            for share in bill.shares {
                balances[share.payer, default: 0] -= share.amountMinor
                balances[bill.owner, default: 0] += share.amountMinor
            }
        }
    }

    /// The ledger each bill must leave, by share transfer id.
    var expectedPostings: [String: [LedgerPosting]] {
        var postings: [String: [LedgerPosting]] = [:]
        for bill in bills {
            for (share, id) in zip(bill.shares, bill.shareTransferIDs) {
                let debit = LedgerPosting(transferID: id, kind: "DEBIT", vpa: share.payer, amountMinor: share.amountMinor)
                postings[id] = Self.settles(bill)
                    ? [LedgerPosting(transferID: id, kind: "CREDIT", vpa: bill.owner, amountMinor: share.amountMinor), debit]
                    : [debit, LedgerPosting(transferID: id, kind: "REFUND", vpa: share.payer, amountMinor: share.amountMinor)]
            }
        }
        return postings
    }

    /// Publishes a `BillSettlementRequested` for each of `bills` at once, waiting for every ack.
    static func publish(_ bills: some Collection<Bill>, topic: String, producer: KafkaProducer) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for bill in bills {
                group.addTask { _ = try await producer.send(KafkaMessage(try StartEvent.message(bill.event, topic: topic))) }
            }
            try await group.waitForAll()
        }
    }
}
