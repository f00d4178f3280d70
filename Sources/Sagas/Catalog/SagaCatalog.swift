import BillSettlement
import SagaContracts
import SagaCore

/// The sagas this package ships, registered in one place. `saga-server`, `sagactl dev`, the
/// in-process test world and the benchmarks all run what ``registrations(_:)`` returns; a new
/// saga is its own files plus one line there.
public enum SagaCatalog {
    /// How the shipped sagas are deployed: their topic names and the policies of their steps.
    public struct Options: Sendable {
        /// The topic names (under the deployment's prefix).
        public var topics: SagaTopics
        /// How long a step waits for a reply before it counts as timed out.
        public var stepTimeout: Duration
        /// The retry policy of steps before the pivot.
        public var stepRetry: RetryPolicy
        /// The retry policy of steps after the pivot and of compensations, which must finish.
        public var afterPivotRetry: RetryPolicy

        /// Options with the defaults of a production deployment.
        public init(
            topics: SagaTopics = SagaTopics(), stepTimeout: Duration = .seconds(10),
            stepRetry: RetryPolicy = .exponential(maxAttempts: 3, initial: .milliseconds(200)),
            afterPivotRetry: RetryPolicy = .exponential(maxAttempts: 20, initial: .milliseconds(200), max: .seconds(30))
        ) {
            self.topics = topics
            self.stepTimeout = stepTimeout
            self.stepRetry = stepRetry
            self.afterPivotRetry = afterPivotRetry
        }
    }

    /// Every shipped saga, registered with `options`.
    public static func registrations(_ options: Options = Options()) throws -> [SagaRegistration] {
        [
            try OrderSaga.registration(options),
            try TransferSaga.registration(options),
            try BillSettlementSaga.registration(topics: options.topics, timeout: options.stepTimeout, retry: options.stepRetry,
                afterPivotRetry: options.afterPivotRetry),
        ]
    }

    /// Every topic the shipped sagas use (start, command, reply and lifecycle topics), sorted.
    public static func topics(_ options: Options = Options()) throws -> [String] {
        Set(try registrations(options).flatMap(\.topics) + [options.topics.events]).sorted()
    }
}
