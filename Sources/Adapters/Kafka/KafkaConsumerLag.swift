import Metrics

/// How far a consumer is behind one partition's end.
public struct KafkaPartitionLag: Sendable, Hashable {
    /// The partition.
    public var partition: TopicPartition
    /// The next offset to process (after the last processed message).
    public var position: Int64
    /// The partition's high watermark (the offset the next produced message will get).
    public var highWatermark: Int64
    /// Messages not yet processed: high watermark minus position, never negative.
    public var lag: Int64 { max(0, highWatermark - position) }

    /// Creates a lag figure.
    public init(partition: TopicPartition, position: Int64, highWatermark: Int64) {
        self.partition = partition
        self.position = position
        self.highWatermark = highWatermark
    }
}

extension KafkaConsumer {
    /// The lag of each assigned partition, without a broker round trip: the high watermarks
    /// are the ones librdkafka learnt from its latest fetch responses, and the position is the
    /// offset after the last message marked processed (for a partition with none processed
    /// since its assignment, librdkafka's fetch position). Partitions whose watermark or
    /// position is not known yet are left out; empty when nothing is assigned or once closed.
    public func lag() -> [KafkaPartitionLag] { core.lag() }

    /// Records ``lag()`` every `interval` in the gauge `kafka_consumer_lag{group, topic, partition}`
    /// of `factory`, until the task is cancelled. A partition that is no longer assigned is set
    /// to 0 (its new owner reports it).
    public func reportLag(group: String, every interval: Duration = .seconds(5), factory: any MetricsFactory = MetricsSystem.factory)
        async
    {
        var reported: Set<TopicPartition> = []
        while !Task.isCancelled {
            let figures = lag()
            let current = Set(figures.map(\.partition))
            for figure in figures {
                Self.lagGauge(group: group, partition: figure.partition, factory: factory).record(figure.lag)
            }
            for gone in reported.subtracting(current) {
                Self.lagGauge(group: group, partition: gone, factory: factory).record(0)
            }
            reported = current
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }

    /// The name of the lag gauge.
    public static let lagMetricName = "kafka_consumer_lag"

    private static func lagGauge(group: String, partition: TopicPartition, factory: any MetricsFactory) -> Gauge {
        Gauge(
            label: lagMetricName,
            dimensions: [("group", group), ("topic", partition.topic), ("partition", String(partition.partition))],
            factory: factory
        )
    }
}
