import Foundation
import Kafka
import Logging
import SagaCore
import SagaKafka
import SagaSQLite
import SagaTestSupport

/// Memory with many sagas in flight: the orchestrator alone (its consumer, relay and timers, no
/// participant), `count` sagas started and their first commands published, none answered. The
/// sagas live in the store, not in the process: its resident memory should not grow with them.
func runStalled(count: Int, kafka: KafkaConfiguration, logger: Logger) async throws {
    let directory = NSTemporaryDirectory() + "saga-bench-stalled-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let prefix = "stalled\(UUID().uuidString.prefix(6).lowercased())."
    try await createSagaTopics(prefix: prefix, kafka: kafka, logger: logger)
    let store = try SQLiteSagaStore(path: directory + "/orchestrator.sqlite")
    // Nobody answers, and no timer may fire during the run: an hour per step.
    let orchestrator = SagaOrchestrator(
        registry: try SagaRegistry(definitions: [Fixtures.orderSaga(prefix: prefix, timeout: .seconds(3600))]), store: store,
        lifecycleTopic: prefix + "saga.events", lifecycleEncoder: JSONLifecycleEncoder()
    )
    let service = Task {
        try await SagaOrchestratorService(orchestrator: orchestrator, kafka: kafka, groupID: prefix + "orchestrator", logger: logger).run()
    }
    let data = try OrderData(orderID: "stalled", amount: 1).encodePayload()
    _ = try await orchestrator.start(sagaType: "order", sagaID: "stalled-warm-up", data: data)
    try await untilPublished(store)
    let before = Memory.read()
    let began = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<8 {
            group.addTask {
                for index in stride(from: worker, to: count, by: 8) {
                    _ = try await orchestrator.start(sagaType: "order", sagaID: "stalled-\(index)", data: data)
                }
            }
        }
        try await group.waitForAll()
    }
    try await untilPublished(store)
    let elapsed = ContinuousClock.now - began
    let after = Memory.read()
    let running = try await store.countByStatus()[.running] ?? 0
    service.cancel()
    _ = await service.result
    guard running == count + 1 else { throw BenchError("\(running) sagas running, expected \(count + 1)") }
    print(String(format: """
        stalled   %d sagas in flight (started, first command published, never answered) in %.0f s: RSS %.1f MB \
        (%.1f MB before them, peak %.1f MB), %.0f bytes per saga in flight
        """, count, Double(elapsed.components.seconds), after.residentMB, before.residentMB, after.peakMB,
        (after.residentMB - before.residentMB) * 1_048_576 / Double(count)))
}

/// Waits until the relay has published every outbox row (polling the store: no event says so).
private func untilPublished(_ store: SQLiteSagaStore) async throws {
    while try await !store.pendingOutbox(limit: 1).isEmpty { try await Task.sleep(for: .milliseconds(200)) }
}

/// The process's resident memory now and at its peak, from `/proc/self/status`.
struct Memory {
    var residentMB: Double
    var peakMB: Double

    static func read() -> Memory {
        let text = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        func kilobytes(_ field: String) -> Double {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return 0 }
            return Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
        }
        return Memory(residentMB: kilobytes("VmRSS") / 1024, peakMB: kilobytes("VmHWM") / 1024)
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
