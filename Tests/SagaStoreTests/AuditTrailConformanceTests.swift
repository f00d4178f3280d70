import Foundation
import SagaCore
import SagaPostgres
import SagaSQLite
import Testing

/// The operators' audit trail on both stores: entries in order with their sequence, paged and
/// filtered by target, and the audit-topic record in the outbox of the same transaction.
@Suite struct AuditTrailConformanceTests {
    @Test(arguments: StoreKind.underTest) func entriesAreKeptInOrderPagedAndTheirRecordIsInTheOutbox(_ kind: StoreKind) async throws {
        try await StoreUnderTest.with(kind) { (harness: StoreUnderTest) async throws -> Void in
            let trail = harness.store
            var recorded: [AuditEntry] = []
            for (index, target) in ["saga-a", "saga-b", "saga-a"].enumerated() {
                let entry = AuditEntry(actor: "ops-\(index)", role: "operator", action: index == 1 ? .sagaResolve : .sagaRetry,
                    target: target, note: index == 1 ? "refunded by hand" : nil, outcome: .applied, detail: nil)
                let message = OutgoingMessage(topic: "saga.audit", key: Array(target.utf8), value: Array("{}".utf8), headers: [])
                recorded.append(try await trail.recordAudit(entry, message: message))
            }
            #expect(recorded.map(\.sequence) == recorded.map(\.sequence).sorted() && Set(recorded.map(\.sequence)).count == 3)
            let all = try await trail.auditEntries(before: nil, target: nil, limit: 10)
            #expect(all.map(\.actor) == ["ops-2", "ops-1", "ops-0"])
            #expect(all[1].action == .sagaResolve && all[1].note == "refunded by hand" && all[1].role == "operator")
            #expect(try await trail.auditEntries(before: all[0].sequence, target: nil, limit: 1).map(\.actor) == ["ops-1"])
            #expect(try await trail.auditEntries(before: nil, target: "saga-a", limit: 10).map(\.actor) == ["ops-2", "ops-0"])
            let due = try await harness.store.pendingOutbox(limit: 10)
            #expect(due.count == 3 && due.allSatisfy { $0.message.topic == "saga.audit" })
        }
    }
}
