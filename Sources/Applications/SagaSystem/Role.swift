/// What one `saga-server` process runs.
public enum Role: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The saga orchestrator (both sagas, timers, its saga store).
    case orchestrator
    /// The order service (orders DB, `OrderPlaced` events).
    case order
    /// The inventory service.
    case inventory
    /// The payment service (simulator).
    case payment
    /// The UPI account service.
    case account
    /// The notification service and its dispatcher.
    case notification
    /// The public HTTP gateway (no consumer).
    case api
    /// Every role above in one process, sharing one HTTP server.
    case all

    /// The single roles `self` stands for (`all` → every other role; otherwise itself).
    public var members: [Role] { self == .all ? Role.allCases.filter { $0 != .all } : [self] }

    /// Whether the role consumes from Kafka (everything but `api`).
    public var consumes: Bool { self != .api }

    /// The role's name.
    public var description: String { rawValue }
}
