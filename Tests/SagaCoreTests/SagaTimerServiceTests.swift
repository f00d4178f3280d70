import Foundation
import SagaCore
import SagaSQLite
import SagaAvro
import SagaTestSupport
import Testing

@Suite struct SagaTimerServiceTests {
    /// Nobody answers: the timer service times out each attempt, backs off, resends, and finally
    /// gives up on the step — woken by deadlines stored in SQLite, not by polling.
    @Test func timersFireInRealTimeAndSurviveARestartOfTheService() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("timers.sqlite")
        let definition = try Fixtures.orderSaga(
            retry: .exponential(maxAttempts: 3, initial: .milliseconds(20), jitter: 0), timeout: .milliseconds(60)
        )
        func orchestrator(_ store: SQLiteSagaStore) throws -> SagaOrchestrator {
            SagaOrchestrator(registry: try SagaRegistry(definitions: [definition]), store: store, lifecycleEncoder: JSONLifecycleEncoder())
        }
        // First process: start the saga, then stop before any timer fires.
        do {
            let store = try SQLiteSagaStore(path: path)
            _ = try await orchestrator(store).start(sagaType: "order", sagaID: "t1", data: OrderData(orderID: "x", amount: 1).encodePayload())
            try store.pool.close()
        }
        // Second process: only the timer service runs.
        let store = try SQLiteSagaStore(path: path)
        let service = SagaTimerService(orchestrator: try orchestrator(store))
        let task = Task { await service.run() }
        defer { task.cancel() }
        var state: SagaState?
        for _ in 0..<400 where state?.status != .compensating {
            try await Task.sleep(for: .milliseconds(25))
            state = try await store.load(sagaID: "t1")
        }
        // reserveStock's outcome is uncertain: its release is sent (and stored as such) as possibly done.
        #expect(state?.status == .compensating && state?.phase == .compensation && state?.uncertainStep == 0)
        #expect(state?.completedSteps == [0])
        let history = try await store.history(sagaID: "t1")
        #expect(history.map(\.outcome) == [.timedOut, .timedOut, .timedOut, nil])
        #expect(history.map(\.attempt) == [1, 2, 3, 1])
        #expect(history.map(\.phase) == [.forward, .forward, .forward, .compensation])
        #expect(history.map(\.compensatesUncertainStep) == [false, false, false, true])
        #expect(try await store.nextDeadline() != nil) // the release's reply timeout
    }
}
