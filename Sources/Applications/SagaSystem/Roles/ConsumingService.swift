import ServiceLifecycle

/// A long-running part of a role that is a plain loop (the notification dispatcher) as a
/// swift-service-lifecycle `Service`: its body runs until cancelled, and a graceful shutdown
/// cancels it. (The Kafka consumers are `Service`s of their own: `SagaOrchestratorService` and
/// `SagaParticipantService` stop on graceful shutdown after the messages in flight.)
public struct ConsumingService: Service, CustomStringConvertible {
    /// The name in logs (e.g. `notification-dispatcher`).
    public let name: String
    private let body: @Sendable () async throws -> Void

    /// Creates the service running `body` until graceful shutdown.
    public init(name: String, body: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.body = body
    }

    /// Runs the body until it ends or a graceful shutdown cancels it.
    public func run() async throws {
        let body = self.body
        try await cancelWhenGracefulShutdown { try await body() }
    }

    /// The name.
    public var description: String { name }
}
