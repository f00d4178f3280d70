import Foundation
import Kafka
import Logging
import SagaCore
import SagaKafka
import SagaSQLite
import SagaTestSupport

/// The engine under measurement: the test order saga's orchestrator and its participants, each
/// on its own SQLite file in `directory`, running as services on the broker until ``stop()``.
final class BenchEngine {
    let orchestratorStore: SQLiteSagaStore
    let participantStore: SQLiteSagaStore
    let recorder = Recorder()
    private let orchestrator: SagaOrchestrator
    private var completed: AsyncStream<Void>.Iterator
    private let services: Task<Void, any Error>
    private let brokerPID: Int32?
    private var started = 0

    /// What one ``drive(count:inFlight:)`` measured.
    struct Run {
        var elapsed: Duration
        var cpuSelf: Double?
        var cpuBroker: Double?

        var seconds: Double { elapsed.timeInterval }
    }

    init(directory: String, prefix: String, kafka: KafkaConfiguration, brokerPID: Int32?, logger: Logger) throws {
        self.brokerPID = brokerPID
        let (completions, completion) = AsyncStream<Void>.makeStream()
        completed = completions.makeAsyncIterator()
        orchestratorStore = try SQLiteSagaStore(path: directory + "/orchestrator.sqlite")
        participantStore = try SQLiteSagaStore(path: directory + "/participants.sqlite")
        try participantStore.pool.write { db in try TestParticipants.migrate(db) }
        let recorder = recorder
        let orchestrator = SagaOrchestrator(
            registry: try SagaRegistry(definitions: [Fixtures.orderSaga(prefix: prefix, timeout: .seconds(60))]), store: orchestratorStore,
            lifecycleTopic: prefix + "saga.events", lifecycleEncoder: JSONLifecycleEncoder(),
            observer: { state in
                if state.status.isTerminal {
                    recorder.end(state.sagaID, ok: state.status == .completed)
                    completion.yield()
                }
            }
        )
        self.orchestrator = orchestrator
        let participantStore = participantStore
        services = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await SagaOrchestratorService(orchestrator: orchestrator, kafka: kafka, groupID: prefix + "orchestrator", logger: logger).run()
                }
                group.addTask {
                    try await SagaParticipantService(
                        participant: SagaParticipant(store: participantStore, consumerName: "bench-participants", handler: TestParticipants.handle),
                        kafka: kafka, topics: ["inventory.commands", "payments.commands", "shipping.commands"].map { prefix + $0 },
                        groupID: prefix + "participants", logger: logger
                    ).run()
                }
                try await group.waitForAll()
            }
        }
    }

    /// Runs one saga to its end (the first also waits out the consumer groups' first join).
    func warmUp() async throws {
        _ = try await drive(count: 1, inFlight: 1)
        recorder.reset()
    }

    /// Starts `count` sagas with at most `inFlight` unfinished at a time and waits for all of
    /// them; returns the wall time and the CPU seconds of this process and the broker.
    func drive(count: Int, inFlight: Int) async throws -> Run {
        let data = try OrderData(orderID: "ok", amount: 1).encodePayload()
        let cpuSelf0 = ProcessCPU.seconds(nil)
        let cpuBroker0 = ProcessCPU.seconds(brokerPID)
        let began = ContinuousClock.now
        var ended = 0
        for begun in 0..<count {
            if begun - ended >= inFlight {
                try await nextCompletion()
                ended += 1
            }
            let id = "bench-\(started)"
            started += 1
            recorder.start(id)
            _ = try await orchestrator.start(sagaType: "order", sagaID: id, data: data)
        }
        while ended < count {
            try await nextCompletion()
            ended += 1
        }
        let elapsed = ContinuousClock.now - began
        let cpuSelf = cpuSelf0.flatMap { start in ProcessCPU.seconds(nil).map { $0 - start } }
        let cpuBroker = cpuBroker0.flatMap { start in ProcessCPU.seconds(brokerPID).map { $0 - start } }
        return Run(elapsed: elapsed, cpuSelf: cpuSelf, cpuBroker: cpuBroker)
    }

    /// Waits until the relays of both stores have published every outbox row (polled: no event says so).
    func untilPublished() async throws {
        for store in [orchestratorStore, participantStore] {
            while try await !store.pendingOutbox(limit: 1).isEmpty { try await Task.sleep(for: .milliseconds(100)) }
        }
    }

    /// Stops the services.
    func stop() async {
        services.cancel()
        _ = await services.result
    }

    private func nextCompletion() async throws {
        guard await completed.next() != nil else { throw BenchError("the orchestrator's observer stream ended") }
    }
}
