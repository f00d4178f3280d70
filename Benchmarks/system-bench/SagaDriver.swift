import Foundation
import Histogram
import Kafka
import Logging
import SagaContracts
import SagaCore
import Synchronization

/// Learns that sagas ended the way a client of the system would: from the orchestrator's
/// lifecycle events (`SagaCompleted`, `SagaCompensated`, `SagaFailed` on the events topic), read
/// by a consumer of its own. Records each tracked saga's start → end latency.
final class SagaEnds: Sendable {
    private struct State {
        var started: [String: ContinuousClock.Instant] = [:]
        var histogram = SagaEnds.newHistogram()
        /// The longest tracked saga since the last reset (its id, to look up in the stores).
        var longest: (sagaID: String, latency: Duration)?
        var outcomes: [String: Int] = [:]
        /// Why the run cannot finish (the first start that failed, or a stall), once known.
        var failure: String?
        /// When a tracked saga last started or ended.
        var lastProgress = ContinuousClock.now
        /// Tracked sagas that ended since the last reset.
        var ended = 0
        var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }
    private let state = Mutex(State())
    private let ended: AsyncStream<Void>.Continuation
    /// One element per tracked saga that ended.
    let endings: AsyncStream<Void>

    init() {
        (endings, ended) = AsyncStream<Void>.makeStream()
    }

    static func newHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
    }

    /// Tracks `sagaID` from now.
    func start(_ sagaID: String) {
        state.withLock { state in
            state.started[sagaID] = .now
            state.lastProgress = .now
        }
    }

    /// Gives up on the run when tracked sagas are unfinished and none started or ended for
    /// `limit` (an end event the watcher never got, e.g. one the broker skipped): records why and
    /// wakes the driver, which then fails the run instead of waiting for ever.
    func giveUpIfStalled(after limit: Duration) {
        let stalled = state.withLock { state -> Bool in
            guard state.failure == nil, !state.started.isEmpty, ContinuousClock.now - state.lastProgress > limit else { return false }
            let some = state.started.keys.sorted().prefix(5).joined(separator: ", ")
            state.failure = "no saga started or ended for \(limit) with \(state.started.count) unfinished (e.g. \(some))"
            return true
        }
        if stalled { ended.yield() }
    }

    /// Records that starting `sagaID` failed (it will never end), and wakes the driver.
    func startFailed(_ sagaID: String, _ error: any Error) {
        state.withLock { state in
            state.started[sagaID] = nil
            if state.failure == nil { state.failure = "starting a saga failed: \(error)" }
        }
        ended.yield()
    }

    /// Why the run cannot finish, if that is known: the first start that failed, or a stall.
    var failure: String? { state.withLock { $0.failure } }

    /// Clears the latencies and outcomes (for the next measured run).
    func reset() { state.withLock { $0.histogram = Self.newHistogram(); $0.outcomes = [:]; $0.ended = 0; $0.longest = nil } }

    /// Returns once `count` tracked sagas have ended since the last reset.
    func wait(untilEnded count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state in
                if state.ended >= count { return true }
                state.waiters.append((count, continuation))
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// How many tracked sagas have ended since the last reset.
    var endedCount: Int { state.withLock { $0.ended } }

    /// The p50, p99 and longest start → end latency in milliseconds, and the outcomes by kind, since the last reset.
    var summary: (p50: Double, p99: Double, longest: (sagaID: String, milliseconds: Double)?, outcomes: [String: Int]) {
        state.withLock {
            (Double($0.histogram.valueAtPercentile(50)) / 1000, Double($0.histogram.valueAtPercentile(99)) / 1000,
             $0.longest.map { ($0.sagaID, $0.latency.timeInterval * 1000) }, $0.outcomes)
        }
    }

    /// Reads `topic` until cancelled, recording the end of each tracked saga.
    func watch(topic: String, kafka: KafkaConfiguration, logger: Logger) async throws {
        let consumer = try subscribedConsumer(topic: topic, group: "\(topic)-bench-watcher", kafka: kafka, logger: logger)
        let outcomes = [SagaCompleted.messageType: "completed", SagaCompensated.messageType: "compensated",
                        SagaFailed.messageType: "failed"]
        do {
            for try await message in consumer.messages {
                if let type = message.header(SagaHeaders.messageType)?.stringValue, let outcome = outcomes[type],
                    let sagaID = message.header(SagaHeaders.sagaID)?.stringValue
                {
                    record(sagaID, outcome: outcome)
                }
                try consumer.markProcessed(message)
            }
        } catch is CancellationError {}
        await consumer.close()
    }

    private func record(_ sagaID: String, outcome: String) {
        let now = ContinuousClock.now
        let (tracked, woken) = state.withLock { state -> (Bool, [CheckedContinuation<Void, Never>]) in
            guard let start = state.started.removeValue(forKey: sagaID) else { return (false, []) }
            let took = now - start
            let latency = took.components
            state.histogram.record(UInt64(max(0, latency.seconds * 1_000_000 + latency.attoseconds / 1_000_000_000_000)))
            if took > state.longest?.latency ?? .zero { state.longest = (sagaID, took) }
            state.outcomes[outcome, default: 0] += 1
            state.ended += 1
            state.lastProgress = now
            let ended = state.ended
            let woken = state.waiters.filter { $0.count <= ended }.map(\.continuation)
            state.waiters.removeAll { $0.count <= ended }
            return (true, woken)
        }
        for waiter in woken { waiter.resume() }
        if tracked { ended.yield() }
    }
}

/// How a run starts its sagas.
enum Schedule {
    /// A closed loop: never more than this many unfinished at once.
    case inFlight(Int)
    /// An open loop: this many per second on a fixed schedule, however many are unfinished (as
    /// independent clients send requests); the latency then includes any queueing the rate causes.
    case perSecond(Double)
}

/// Starts `count` sagas with `start` on `schedule` (each start in a task of its own, as
/// concurrent API requests would), and waits until all have ended.
func drive(
    count: Int, _ schedule: Schedule, ends: SagaEnds, endings: inout AsyncStream<Void>.Iterator,
    start: @escaping @Sendable (_ sagaID: UUID) async throws -> Void
) async throws -> Measurement {
    ends.reset()
    let meter = Meter()
    let began = ContinuousClock.now
    var lastEnd = began
    let slowestStart = try await withThrowingTaskGroup(of: Duration.self) { group in
        var finished = 0
        for index in 0..<count {
            switch schedule {
            case .inFlight(let limit):
                while index - finished >= limit {
                    try await next(&endings, ends)
                    finished += 1
                }
            case .perSecond(let rate):
                // The schedule, not a wait for an outcome.
                try await Task.sleep(until: began + .seconds(1 / rate) * index, clock: .continuous)
            }
            let id = UUID()
            ends.start(id.uuidString.lowercased())
            group.addTask {
                let called = ContinuousClock.now
                do { try await start(id) } catch { ends.startFailed(id.uuidString.lowercased(), error) }
                return ContinuousClock.now - called
            }
        }
        while finished < count {
            try await next(&endings, ends)
            finished += 1
        }
        lastEnd = .now
        return try await group.reduce(Duration.zero, max)
    }
    var measurement = try measured(meter, count: count, ends: ends)
    measurement.slowestStart = slowestStart
    measurement.startsAfterLastEnd = ContinuousClock.now - lastEnd
    return measurement
}

/// The run's measurement with its latencies; throws unless every saga completed.
private func measured(_ meter: Meter, count: Int, ends: SagaEnds) throws -> Measurement {
    var measurement = meter.stop(count: count)
    let summary = ends.summary
    measurement.p50 = summary.p50
    measurement.p99 = summary.p99
    measurement.longest = summary.longest?.milliseconds
    measurement.longestSagaID = summary.longest?.sagaID
    guard summary.outcomes["completed"] == count else {
        throw BenchError("\(count) sagas ended \(summary.outcomes); all should have completed")
    }
    return measurement
}

/// Waits for the next saga end; throws if the watcher stopped or a start failed.
private func next(_ endings: inout AsyncStream<Void>.Iterator, _ ends: SagaEnds) async throws {
    guard await endings.next() != nil else { throw BenchError("the lifecycle watcher stopped") }
    if let failure = ends.failure { throw BenchError(failure) }
}
