import ServiceLifecycle

/// A long-running part of a role (a Kafka consumer with its outbox relay, or the notification
/// dispatcher) as a swift-service-lifecycle `Service`. Its body runs until cancelled; a graceful
/// shutdown cancels it, which for a consumer means: take no new messages, let the handlers in
/// flight finish their transactions (an interrupted one is rolled back and its message, whose
/// offset was not stored, is redelivered), commit the stored offsets and close. Messages the
/// outbox relay had not yet published stay in the outbox and go out on the next start.
public struct ConsumingService: Service, CustomStringConvertible {
    /// The name in logs (e.g. `payment-consumer`).
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
