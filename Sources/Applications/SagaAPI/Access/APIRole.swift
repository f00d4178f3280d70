/// What a bearer token may do. Each configured token carries one role.
///
/// | role | start sagas | one saga's status | read everything | retry, resolve, replay, edit |
/// |---|---|---|---|---|
/// | `producer` | yes | yes | | |
/// | `viewer` | | yes | yes | |
/// | `operator` | | yes | yes | yes |
public enum APIRole: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Starts sagas (`POST /orders`, `POST /transfers`, `POST /bills/{billId}/settlement`) and reads their status.
    case producer
    /// Reads everything: sagas, timelines, dead letters, the audit trail.
    case viewer
    /// Everything a viewer does, and changes: retry and resolve parked sagas, replay and edit dead letters.
    case `operator`

    /// `producer`, `viewer` or `operator`.
    public var description: String { rawValue }

    /// Whether this role may call a route that requires `access`.
    public func permits(_ access: RouteAccess) -> Bool {
        switch access {
        case .public, .authenticated: true
        case .startSagas: self == .producer
        case .readSagaStatus: true
        case .read: self == .viewer || self == .operator
        case .operate: self == .operator
        }
    }
}

/// What a route requires of its caller (``APIRoute/access``).
public enum RouteAccess: String, Sendable, Hashable, CustomStringConvertible {
    /// No token: `/healthz`, `/readyz`, `/metrics`.
    case `public`
    /// Any valid token (the schema registry, routes that do not exist).
    case authenticated
    /// `producer`.
    case startSagas = "start-sagas"
    /// Any role: one saga's status.
    case readSagaStatus = "read-saga-status"
    /// `viewer` or `operator`.
    case read
    /// `operator`.
    case operate

    /// The access's name in problems (`start-sagas`).
    public var description: String { rawValue }

    /// The roles that may call a route requiring this access.
    public var roles: [APIRole] { APIRole.allCases.filter { $0.permits(self) } }
}
