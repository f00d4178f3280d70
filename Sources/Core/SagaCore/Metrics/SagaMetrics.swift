import Foundation
import Metrics

/// The engine's metrics (swift-metrics), recorded through an injectable factory:
///
/// - `saga_started_total{saga_type}`
/// - `saga_ended_total{saga_type, outcome}` (`completed`, `compensated`, `failed` = parked for a person)
/// - `saga_duration_seconds{saga_type, outcome}` (created → ended or parked, per end)
/// - `saga_step_duration_seconds{saga_type, step, outcome}` (request sent → reply applied;
///   `success`, `failure` or `timeout`; a compensation's step label is `<step>:compensate`)
/// - `saga_dead_letters_total{service, topic, error_kind}`
/// - `saga_messages_processed_total{service, topic}`
/// - `saga_consumer_batch_seconds{service}` (how long a consumer's lane took over one batch of
///   messages, its store transaction and any one-by-one fallback included: the rate of its sum
///   over the lanes (4) is how busy the consumer is, the first thing to read when messages queue)
/// - `saga_consumer_batch_messages{service}` (messages per batch)
/// - `saga_instances{saga_type, status}` (gauge, from the store: ``SagaInstanceGauges``)
/// - `saga_dead_letter_depth{topic}` (gauge, records retained in `topic`'s dead-letter topic;
///   recorded by SagaKafka's `DeadLetterDepthGauges`)
///
/// Each is counted once per committed transition or handled message, never for a redelivered
/// duplicate. Pass `MetricsSystem.factory` (the default) in a server, or a private factory in tests.
public struct SagaMetrics: Sendable {
    /// Where the metrics go.
    public let factory: any MetricsFactory

    /// Metric names.
    public enum Name {
        /// Sagas started.
        public static let started = "saga_started_total"
        /// Sagas that ended (or were parked).
        public static let ended = "saga_ended_total"
        /// Saga latency: created → completed, compensated or parked.
        public static let duration = "saga_duration_seconds"
        /// Step request latency.
        public static let stepDuration = "saga_step_duration_seconds"
        /// Dead-lettered messages.
        public static let deadLetters = "saga_dead_letters_total"
        /// Messages processed by a service.
        public static let messagesProcessed = "saga_messages_processed_total"
        /// A consumer lane's time over one batch of messages.
        public static let consumerBatchDuration = "saga_consumer_batch_seconds"
        /// Messages per batch a consumer lane handled.
        public static let consumerBatchMessages = "saga_consumer_batch_messages"
        /// Sagas in the store by type and status (a gauge).
        public static let instances = "saga_instances"
        /// Records retained in a topic's dead-letter topic (a gauge).
        public static let deadLetterDepth = "saga_dead_letter_depth"
    }

    /// How often the services record their consumer's lag (`kafka_consumer_lag`).
    public var lagReportInterval: Duration

    /// Creates metrics recorded with `factory`.
    public init(factory: any MetricsFactory = MetricsSystem.factory, lagReportInterval: Duration = .seconds(5)) {
        self.factory = factory
        self.lagReportInterval = lagReportInterval
    }

    /// Counts the lifecycle ends and step latencies of a committed transition.
    func record(_ transition: SagaTransition, requestSentAt: Date?) {
        let type = transition.state.sagaType
        for event in transition.lifecycle {
            switch event.kind {
            case .started:
                Counter(label: Name.started, dimensions: [("saga_type", type)], factory: factory).increment()
            case .completed, .compensated, .failed:
                Counter(label: Name.ended, dimensions: [("saga_type", type), ("outcome", event.kind.rawValue)], factory: factory)
                    .increment()
                Timer(label: Name.duration, dimensions: [("saga_type", type), ("outcome", event.kind.rawValue)], factory: factory)
                    .recordNanoseconds(Int64(max(0, event.at.timeIntervalSince(transition.state.createdAt)) * 1e9))
            case .stepCompleted, .stepFailed:
                guard let outcome = event.outcome.flatMap(Self.stepOutcome), let name = event.step, let requestSentAt else { continue }
                let step = event.phase == .compensation ? name + ":compensate" : name
                Timer(
                    label: Name.stepDuration, dimensions: [("saga_type", type), ("step", step), ("outcome", outcome)],
                    factory: factory
                ).recordNanoseconds(Int64(max(0, event.at.timeIntervalSince(requestSentAt)) * 1e9))
            case .compensating:
                continue
            }
        }
    }

    /// The step-duration outcome label of an attempt's outcome (nil for outcomes that are not a reply or timeout).
    static func stepOutcome(_ outcome: StepOutcome) -> String? {
        switch outcome {
        case .succeeded: "success"
        case .businessFailure, .retriableFailure: "failure"
        case .timedOut: "timeout"
        case .manuallyResolved, .commandFailed: nil
        }
    }

    /// Counts a dead-lettered message.
    public func deadLettered(service: String, topic: String, kind: DeadLetterErrorKind) {
        Counter(
            label: Name.deadLetters, dimensions: [("service", service), ("topic", topic), ("error_kind", kind.rawValue)],
            factory: factory
        ).increment()
    }

    /// Records how many records `topic`'s dead-letter topic retains (`saga_dead_letter_depth`).
    public func deadLetterDepth(_ records: Int64, topic: String) {
        Gauge(label: Name.deadLetterDepth, dimensions: [("topic", topic)], factory: factory).record(records)
    }

    /// Records a batch of `messages` that one of `service`'s consumer lanes handled in `duration`.
    public func handledBatch(service: String, messages: Int, duration: Duration) {
        Timer(label: Name.consumerBatchDuration, dimensions: [("service", service)], factory: factory).recordSeconds(duration.timeInterval)
        Recorder(label: Name.consumerBatchMessages, dimensions: [("service", service)], factory: factory).record(messages)
    }

    /// Counts a processed message.
    public func processed(service: String, topic: String) {
        Counter(label: Name.messagesProcessed, dimensions: [("service", service), ("topic", topic)], factory: factory).increment()
    }
}
