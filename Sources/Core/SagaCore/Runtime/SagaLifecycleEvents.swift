/// Which lifecycle events the orchestrator publishes to the events topic (`SAGA_LIFECYCLE_EVENTS`).
///
/// Lifecycle events are for observers outside the saga (dashboards, clients awaiting an outcome);
/// no step depends on them. Each one is a Kafka record written with the state change that caused
/// it, so with `all` they are about half of a saga's records. Metrics, spans and
/// the saga's stored state do not depend on this setting; the timeline keeps the events published.
public enum SagaLifecycleEvents: String, Sendable, Hashable, CaseIterable {
    /// Every event: started, each step completed or failed, compensating, and the end (the
    /// default). What monitoring reads, e.g. a dashboard of steps in progress.
    case all
    /// Only the end of a saga: completed, compensated, or failed (parked for a person).
    case terminal
    /// None.
    case none

    /// Whether an event of `kind` is published.
    public func publishes(_ kind: SagaLifecycleKind) -> Bool {
        switch self {
        case .all: true
        case .terminal: kind == .completed || kind == .compensated || kind == .failed
        case .none: false
        }
    }
}
