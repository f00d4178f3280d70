/// Named checks behind `/readyz`: the process is ready when every check passes.
public struct ReadinessChecks: Sendable {
    /// One check: throws (with a reason) when not ready.
    public typealias Check = @Sendable () async throws -> Void

    /// The checks by name, run in this order.
    public private(set) var checks: [(name: String, check: Check)] = []

    /// No checks (always ready).
    public init() {}

    /// Adds a check named `name`.
    public mutating func add(_ name: String, _ check: @escaping Check) { checks.append((name, check)) }

    /// The outcome of every check: `nil` for passed, else the reason it failed.
    public func evaluate() async -> [(name: String, failure: String?)] {
        var results: [(name: String, failure: String?)] = []
        for (name, check) in checks {
            do {
                try await check()
                results.append((name, nil))
            } catch {
                results.append((name, "\(error)"))
            }
        }
        return results
    }
}
