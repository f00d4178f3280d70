import Foundation
import SagaCatalog
import SagaContracts
import SagaCore
import SagaSQLite
import SagaTestKit
import SagaTestSupport
import ServiceKit
import Testing

/// A scenario's saga written to the orchestrator's SQLite store, loaded back, and continued: the
/// restart of a real orchestrator, without the broker.
@Suite struct ScenarioStoreRoundTripTests {
    typealias F = TransferFixture

    @Test func aTransferStoredMidRefundAndLoadedBackFinishesItsCompensation() async throws {
        var saga = try F.scenario()
        try saga.debitPayer()
        try saga.answer("creditPayee", F.creditRefused)
        try saga.answer("debitPayer", F.refundUnavailable)  // the refund waits for its backoff timer

        let directory = try TemporaryDirectory()
        let store = try SQLiteSagaStore(path: directory.file("orchestrator.sqlite"))
        let written = try await store.commit(SagaCommit(saga: .insert(saga.state), sagaID: saga.state.sagaID, history: saga.history))
        #expect(written == .committed(version: saga.state.version))
        let loaded = try #require(try await store.load(sagaID: saga.state.sagaID))
        #expect(loaded == saga.state)
        #expect(try await store.history(sagaID: saga.state.sagaID) == saga.attempts)
        #expect(try await store.nextDeadline() == saga.state.deadline)

        var restarted = try saga.restarted(from: loaded)
        try restarted.advance(by: .seconds(1))  // the stored timer fires after the restart
        #expect(restarted.commands(for: "debitPayer", phase: .compensation).map(\.attempt) == [1, 2])
        try restarted.answer("debitPayer", F.refunded)
        try restarted.acknowledgeNotification("notifyPayerOfFailure")
        #expect(restarted.status == .compensated)
        #expect(try restarted.data.refundID == text(F.refundID))
    }

    @Test func anotherSagasStateIsRefused() throws {
        let saga = try F.scenario()
        var other = saga.state
        other.sagaID = "another"
        #expect(throws: SagaScenarioError.otherSaga(expected: saga.state.sagaID, actual: "another")) { try saga.restarted(from: other) }
    }
}
