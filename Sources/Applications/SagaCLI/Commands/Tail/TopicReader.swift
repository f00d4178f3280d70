import Foundation
import Kafka
import Synchronization

/// Reads a topic without moving anyone's offsets: following it (``read(_:from:max:idleTimeout:handle:)``)
/// in a fresh, random consumer group that never stores or commits an offset, or reading all it
/// holds (``readToEnd(_:timeout:)``) by manual assignment, without joining a group.
struct TopicReader: Sendable {
    /// Where reading starts.
    enum Start: String, Sendable, CaseIterable {
        /// The oldest retained record.
        case beginning
        /// Only records produced after the consumer joined.
        case end
    }

    let configuration: KafkaConfiguration

    /// Reads `topic` from `start`, handing each record to `handle`, until `max` records were
    /// read or none came for `idleTimeout` (nil: read until cancelled). Returns how many were read.
    func read(
        _ topic: String, from start: Start, max: Int?, idleTimeout: Duration?,
        handle: @escaping @Sendable (KafkaConsumerMessage) async throws -> Void
    ) async throws -> Int {
        var configuration = self.configuration
        configuration.groupID = "sagactl-reader-" + UUID().uuidString.lowercased()
        configuration.autoOffsetReset = start == .beginning ? .earliest : .latest
        configuration.properties["enable.auto.commit"] = "false"
        // A short session so joining (and leaving) the throwaway group takes little time.
        if configuration.sessionTimeout == nil { configuration.sessionTimeout = .seconds(6) }
        if configuration.heartbeatInterval == nil { configuration.heartbeatInterval = .milliseconds(500) }
        if configuration.maxPollInterval == nil { configuration.maxPollInterval = .seconds(10) }
        let consumer = try KafkaConsumer(configuration: configuration, logger: KafkaClients.logger("sagactl.consumer"))
        try consumer.subscribe(to: [topic])
        let lastActivity = Locked(ContinuousClock.now)
        let joinLimit = ContinuousClock.now + .seconds(60)
        let count = Locked(0)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    if max == 0 { return }
                    for try await message in consumer.messages {
                        lastActivity.withLock { $0 = .now }
                        try await handle(message)
                        let read = count.withLock { value in
                            value += 1
                            return value
                        }
                        if let max, read >= max { return }
                    }
                }
                if let idleTimeout {
                    group.addTask {
                        while true {
                            let deadline = lastActivity.withLock { $0 } + idleTimeout
                            if deadline <= .now {
                                // Still joining the group: the idle time counts from the assignment.
                                guard consumer.assignment.isEmpty, ContinuousClock.now < joinLimit else { return }
                                lastActivity.withLock { $0 = .now }
                                continue
                            }
                            try await Task.sleep(until: deadline, clock: .continuous)
                        }
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        } catch {
            await consumer.close()
            throw error
        }
        await consumer.close()
        return count.withLock { $0 }
    }

    /// Every record of `topic` up to the end it had when the read started, in partition and
    /// offset order; `timeout` is the deadline for reaching that end (see ``KafkaTopicReader``).
    /// Never a partial result: a read that does not reach the end throws, naming each
    /// unfinished partition.
    func readToEnd(_ topic: String, timeout: Duration) async throws(KafkaError) -> [KafkaConsumerMessage] {
        try await KafkaTopicReader(configuration: configuration, logger: KafkaClients.logger("sagactl.reader"))
            .readToEnd(topic, timeout: timeout)
    }
}

/// A value shared between the tasks of a read, guarded by its mutex.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    /// Runs `body` with the value locked.
    func withLock<Result>(_ body: (inout Value) -> Result) -> Result {
        mutex.withLock { body(&$0) }
    }
}
