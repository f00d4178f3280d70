import Foundation
import Kafka
import SagaCore

/// A system started for one measured run: its own topics, stores (or schemas) and consumer
/// groups, warmed up, with a watcher on its lifecycle events that reports each tracked saga's end.
///
/// Every run gets one because the local broker reads slower the more a partition holds: Tansu's
/// memory engine lists every batch a partition holds on each fetch that has records to return, so
/// a system whose topics carry the earlier runs' records is measured against a slower broker than
/// the bare baseline, whose topics are fresh each round (docs/crash-test-and-benchmark.md).
struct SystemSession {
    let system: SystemUnderTest
    let ends = SagaEnds()
    var endings: AsyncStream<Void>.Iterator
    private let watcher: Task<Void, any Error>
    /// Fails the run when its sagas stop ending (``stallLimit``) instead of letting it wait for ever.
    private let watchdog: Task<Void, Never>

    /// Starts the system and its watcher, then warms it up: the consumer groups join (Tansu delays
    /// a first join), connections and caches fill.
    static func start(_ configuration: BenchConfiguration, environment: SystemUnderTest.Environment) async throws -> SystemSession {
        let system = try await SystemUnderTest(configuration, environment: environment, logger: logger)
        var session = SystemSession(system: system)
        do {
            _ = try await session.run(count: 20, .inFlight(20), start: system.placeOrder)
            _ = try await session.run(count: 20, .inFlight(20), start: system.requestTransfer)
        } catch {
            try? await session.stop()  // the warm-up's error is the one to report
            throw error
        }
        return session
    }

    private init(system: SystemUnderTest) {
        self.system = system
        let (ends, topic, kafka) = (self.ends, system.settings.topics.events, system.settings.kafka)
        endings = ends.endings.makeAsyncIterator()
        watcher = Task { try await ends.watch(topic: topic, kafka: kafka, logger: logger) }
        watchdog = Task {
            while (try? await Task.sleep(for: .seconds(5))) != nil { ends.giveUpIfStalled(after: stallLimit) }
        }
    }

    /// Starts `count` sagas with `start` on `schedule` and waits for all of them to end.
    mutating func run(
        count: Int, _ schedule: Schedule, start: @escaping @Sendable (_ sagaID: UUID) async throws -> Void
    ) async throws -> Measurement {
        try await drive(count: count, schedule, ends: ends, endings: &endings, start: start)
    }

    /// Stops the watcher and the system.
    func stop() async throws {
        watchdog.cancel()
        watcher.cancel()
        _ = await watcher.result
        try await system.stop()
    }
}
