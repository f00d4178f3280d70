import Kafka
import SagaCore
import SagaSQLite

extension ReadinessCheck {
    /// The broker answers a metadata request (through `admin`) within `timeout`, and has every
    /// topic of `topics` (none checked when empty).
    public static func kafka(_ admin: KafkaAdmin, topics: [String] = [], timeout: Duration = .seconds(2)) -> ReadinessCheck {
        ReadinessCheck("kafka") {
            let present = Set(try await admin.listTopics(timeout: timeout).map(\.name))
            let missing = topics.filter { !present.contains($0) }
            if !missing.isEmpty { throw MissingTopics(topics: missing) }
        }
    }

    /// A saga store (the orchestrator's or a service's) can be read; `subject` (where it lives,
    /// without secrets) leads its failures.
    public static func store(_ name: String, _ store: any SagaStore, subject: String? = nil) -> ReadinessCheck {
        ReadinessCheck(name, subject: subject) { _ = try await store.countByStatus() }
    }

    /// The idempotency ledger can be read; a ledger on PostgreSQL names its database in its failures.
    public static func ledger(_ ledger: IdempotencyLedger) -> ReadinessCheck {
        ReadinessCheck("idempotency-ledger", subject: ledger.postgres.map { "PostgreSQL \($0.configuration)" }) { try await ledger.check() }
    }

    /// Topics a ``kafka(_:topics:timeout:)`` check needs are not on the broker.
    public struct MissingTopics: Error, Sendable, CustomStringConvertible {
        /// The missing topics.
        public var topics: [String]
        /// A readable description.
        public var description: String { "missing topics: " + topics.joined(separator: ", ") }
    }
}
