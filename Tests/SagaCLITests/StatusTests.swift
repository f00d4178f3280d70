import Avro
import Foundation
import SagaContracts
import SagaCore
import SagaSQLite
import Testing

/// `sagactl status` and `sagactl sagas` against a real SQLite store written through the engine's store API.
@Suite struct StatusTests {
    static let t0 = Date(timeIntervalSince1970: 1_795_000_000)

    static func state(_ id: String, type: String, status: SagaStatus, phase: SagaPhase = .forward, step: Int, created: Date,
                      data: [UInt8], failure: String? = nil) -> SagaState {
        SagaState(
            sagaID: id, sagaType: type, definitionVersion: 1, status: status, phase: phase, stepIndex: step, attempt: 1,
            requestSequence: 0, pendingRequestID: nil, deadline: nil, deadlineKind: nil, completedSteps: [], data: data,
            failureReason: failure, version: 0, createdAt: created, updatedAt: created.addingTimeInterval(5))
    }

    static func commit(_ store: SQLiteSagaStore, _ commit: SagaCommit) async throws {
        let result = try await store.commit(commit)
        guard case .committed = result else {
            Issue.record("commit not applied: \(result)")
            return
        }
    }

    /// A store with a compensated transfer (history: two steps, a failure), a running order and a completed order.
    static func populatedStore() async throws -> (path: String, transfer: String, running: String, completed: String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sagactl-\(UUID().uuidString).sqlite").path
        let store = try SQLiteSagaStore(path: path)
        let transfer = UUID().uuidString.lowercased(), running = UUID().uuidString.lowercased(), completed = UUID().uuidString.lowercased()
        let money = try AvroSingleObject.encode(Money(amountMinor: 10050, currency: "INR"))
        try await Self.commit(store, SagaCommit(
            saga: .insert(state(transfer, type: "transfer", status: .compensated, phase: .compensation, step: 1, created: t0, data: money,
                                failure: "creditPayee: CREDIT_REJECTED")), sagaID: transfer,
            history: [
                .started(sequence: 1, requestID: "r1", phase: .forward, stepIndex: 0, stepName: "debitPayer", attempt: 1, at: t0),
                .finished(sequence: 1, outcome: .succeeded, error: nil, at: t0.addingTimeInterval(1)),
                .started(sequence: 2, requestID: "r2", phase: .forward, stepIndex: 1, stepName: "creditPayee", attempt: 1, at: t0.addingTimeInterval(1)),
                .finished(sequence: 2, outcome: .businessFailure, error: "CREDIT_REJECTED: payee bank refused", at: t0.addingTimeInterval(2)),
            ]))
        try await Self.commit(store, SagaCommit(
            saga: .insert(state(running, type: "order", status: .running, step: 0, created: t0.addingTimeInterval(60), data: Array(#"{"orderId":"o-1"}"#.utf8))), sagaID: running,
            history: [.started(sequence: 1, requestID: "r3", phase: .forward, stepIndex: 0, stepName: "reserveStock", attempt: 1, at: t0.addingTimeInterval(60))]))
        try await Self.commit(store, SagaCommit(
            saga: .insert(state(completed, type: "order", status: .completed, step: 4, created: t0.addingTimeInterval(120), data: []))))
        return (path, transfer, running, completed)
    }

    @Test func aBillSettlementIsListedByItsTypeAndItsSharesShowInItsHistory() async throws {
        let store = try await Self.populatedStore()
        let sagas = try SQLiteSagaStore(path: store.path)
        let bill = UUID().uuidString.lowercased()
        try await Self.commit(sagas, SagaCommit(
            saga: .insert(Self.state(bill, type: "bill-settlement", status: .running, step: 2, created: Self.t0.addingTimeInterval(180),
                data: Array(#"{"billID":"b-1"}"#.utf8))), sagaID: bill,
            history: [
                .started(sequence: 1, requestID: "b1", phase: .forward, stepIndex: 2, stepName: "collectShares", attempt: 1, at: Self.t0, item: 0),
                .finished(sequence: 1, outcome: .succeeded, error: nil, at: Self.t0.addingTimeInterval(1)),
                .started(sequence: 2, requestID: "b2", phase: .forward, stepIndex: 2, stepName: "collectShares", attempt: 1, at: Self.t0, item: 1),
            ]))
        let listed = try await SagactlProcess.run(["sagas", "--type", "bill-settlement", "--store", store.path, "--json"])
        #expect(listed.status == 0, "\(listed.error)")
        #expect(try TestKafka.lines(listed.text).map { $0["sagaId"] as? String } == [bill])

        let text = try await SagactlProcess.run(["status", bill, "--store", store.path])
        #expect(text.text.contains("collectShares[0]") && text.text.contains("collectShares[1]"), "\(text.text)")
        let json = try await SagactlProcess.run(["status", bill, "--store", store.path, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output)) as? [String: Any])
        let history = try #require(object["history"] as? [[String: Any]])
        #expect(history.map { $0["item"] as? Int } == [0, 1])
    }

    @Test func statusShowsStateStepDataAndHistory() async throws {
        let store = try await Self.populatedStore()
        let text = try await SagactlProcess.run(["status", store.transfer, "--store", store.path])
        #expect(text.status == 0, "\(text.error)")
        #expect(text.text.contains("type     transfer"))
        #expect(text.text.contains("state    compensated (phase compensation, step creditPayee, attempt 1)"))
        #expect(text.text.contains("failure  creditPayee: CREDIT_REJECTED"))
        #expect(text.text.contains(#"data     {"type":"com.swiftsaga.common.Money","value":{"amountMinor":10050,"currency":"INR"}}"#))
        #expect(text.text.contains("CREDIT_REJECTED: payee bank refused"))
        #expect(text.text.contains("businessFailure"))

        let json = try await SagactlProcess.run(["status", store.transfer, "--store", store.path, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output)) as? [String: Any])
        #expect(object["state"] as? String == "compensated")
        #expect(object["currentStep"] as? String == "creditPayee")
        let history = try #require(object["history"] as? [[String: Any]])
        try #require(history.count == 2)
        #expect(history.map { $0["step"] as? String } == ["debitPayer", "creditPayee"])
        #expect(history.map { $0["outcome"] as? String } == ["succeeded", "businessFailure"])
        #expect(history[0]["startedAt"] as? String == "2026-11-18T11:06:40.000Z")
    }

    @Test func anUnknownSagaIsAClearErrorWithANonZeroStatus() async throws {
        let store = try await Self.populatedStore()
        let result = try await SagactlProcess.run(["status", "no-such-saga", "--store", store.path])
        #expect(result.status == 1)
        #expect(result.error.contains("no saga with id no-such-saga"))
        let missing = try await SagactlProcess.run(["status", "x", "--store", store.path + ".missing"])
        #expect(missing.status == 2)
        #expect(missing.error.contains("no such saga store"))
    }

    @Test func sagasFiltersByTypeStateAndTime() async throws {
        let store = try await Self.populatedStore()
        let all = try await SagactlProcess.run(["sagas", "--store", store.path])
        #expect(all.status == 0, "\(all.error)")
        let rows = all.text.split(separator: "\n")
        #expect(rows.count == 4)
        #expect(rows[0].hasPrefix("SAGA ID"))
        #expect(rows[1].hasPrefix(store.completed) && rows[2].hasPrefix(store.running) && rows[3].hasPrefix(store.transfer))

        let orders = try TestKafka.lines(try await SagactlProcess.run(["sagas", "--store", store.path, "--type", "order", "--json"]).text)
        #expect(Set(orders.compactMap { $0["sagaId"] as? String }) == [store.running, store.completed])
        let running = try TestKafka.lines(try await SagactlProcess.run(["sagas", "--store", store.path, "--state", "running", "--json"]).text)
        #expect(running.compactMap { $0["sagaId"] as? String } == [store.running])
        #expect(running.first?["currentStep"] as? String == "reserveStock")
        let recent = try TestKafka.lines(try await SagactlProcess.run(
            ["sagas", "--store", store.path, "--since", "2026-11-18T11:07:10Z", "--json"]).text)
        #expect(Set(recent.compactMap { $0["sagaId"] as? String }) == [store.running, store.completed])
        let badState = try await SagactlProcess.run(["sagas", "--store", store.path, "--state", "done"])
        #expect(badState.status == 2)
        #expect(badState.error.contains("expected one of running"))
    }
}
