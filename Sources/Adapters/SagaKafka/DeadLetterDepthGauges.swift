import Kafka
import Logging
import SagaCore

/// How many records each dead-letter topic holds, as the gauge `saga_dead_letter_depth{topic}`
/// (`topic` is the original topic, as in `saga_dead_letters_total`): the sum over the
/// dead-letter topic's partitions of high − low watermark, asked of the partition leaders.
///
/// A dead letter stays in its topic after a replay (Kafka deletes nothing on read), so the depth
/// falls only when retention removes records: read it as "letters kept", and watch its increase
/// (or `saga_dead_letters_total`) for new ones. Every replica that reports it reports the same
/// figures (take `max` over replicas).
///
/// ```swift
/// let gauges = DeadLetterDepthGauges(admin: admin, topics: ["payment.commands"], metrics: SagaMetrics(), logger: logger)
/// await gauges.report(every: .seconds(30))   // until the task is cancelled
/// ```
public struct DeadLetterDepthGauges: Sendable {
    /// The client asking for the watermarks.
    public let admin: KafkaAdmin
    /// The original topics whose dead-letter topics are measured.
    public let topics: [String]
    /// Where the gauge goes.
    public let metrics: SagaMetrics
    private let logger: Logger

    /// Creates the gauges of `topics`' dead-letter topics (`DeadLetterRecord.topic(for:)`).
    public init(admin: KafkaAdmin, topics: [String], metrics: SagaMetrics, logger: Logger) {
        self.admin = admin
        self.topics = topics
        self.metrics = metrics
        self.logger = logger
    }

    /// The records retained in `topic`'s dead-letter topic.
    ///
    /// - Throws: ``KafkaError`` as ``KafkaAdmin/watermarks(of:timeout:)`` does (e.g.
    ///   `UNKNOWN_TOPIC_OR_PART` naming the dead-letter topic when it was not created).
    public func depth(of topic: String, timeout: Duration = .seconds(10)) async throws(KafkaError) -> Int64 {
        try await admin.watermarks(of: DeadLetterRecord.topic(for: topic), timeout: timeout).reduce(0) { $0 + max(0, $1.high - $1.low) }
    }

    /// Records every topic's depth now. A topic whose depth cannot be read keeps its last figure;
    /// the errors are returned by topic (empty when all were recorded).
    @discardableResult
    public func record() async -> [String: KafkaError] {
        var failures: [String: KafkaError] = [:]
        for topic in topics {
            do {
                let depth = try await depth(of: topic)
                metrics.deadLetterDepth(depth, topic: topic)
            } catch {
                failures[topic] = error
            }
        }
        return failures
    }

    /// Records the depths every `interval` until the task is cancelled, logging each topic that
    /// could not be measured (with the broker's error) and trying it again at the next interval.
    public func report(every interval: Duration = .seconds(30)) async {
        while !Task.isCancelled {
            for (topic, error) in await record().sorted(by: { $0.key < $1.key }) where !Task.isCancelled {
                logger.warning("could not measure a dead-letter topic", metadata: [
                    "topic": "\(DeadLetterRecord.topic(for: topic))", "error": "\(error)",
                ])
            }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }
}
