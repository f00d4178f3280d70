/// One condition `GET /readyz` checks (the store is readable, the broker is reachable…): a name
/// and a closure that returns when the condition holds and throws (saying why) when it does not.
public struct ReadinessCheck: Sendable {
    /// The check's name in `/readyz` answers (`saga-store`, `kafka`).
    public var name: String
    /// Returns when ready; throws why not.
    public var check: @Sendable () async throws -> Void
    /// What the check talks to, put before every failure (a timeout's too), e.g. the database's
    /// host: `PostgreSQL postgres://saga@db:5432/sagas schema account`. Never a secret.
    public var subject: String?

    /// Creates a check.
    public init(_ name: String, subject: String? = nil, _ check: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.subject = subject
        self.check = check
    }

    /// A check's result.
    public struct Result: Sendable, Hashable {
        /// The check's name.
        public var name: String
        /// Nil when it passed, else why it failed.
        public var failure: String?
    }

    /// A check did not finish in time.
    struct TimedOut: Error, CustomStringConvertible {
        var timeout: Duration
        var description: String { "did not finish within \(timeout)" }
    }

    /// Runs `checks` concurrently, each bounded by `timeout`; results in the order of `checks`.
    public static func run(_ checks: [ReadinessCheck], timeout: Duration) async -> [Result] {
        await withTaskGroup(of: (Int, String?).self) { group in
            for (index, check) in checks.enumerated() {
                group.addTask { (index, await check.failure(timeout: timeout)) }
            }
            var failures = [String?](repeating: nil, count: checks.count)
            for await (index, failure) in group { failures[index] = failure }
            return zip(checks, failures).map { Result(name: $0.name, failure: $1) }
        }
    }

    /// Nil when the check passes within `timeout`, else the reason (after ``subject``).
    func failure(timeout: Duration) async -> String? {
        guard let failure = await bareFailure(timeout: timeout) else { return nil }
        return subject.map { "\($0): \(failure)" } ?? failure
    }

    private func bareFailure(timeout: Duration) async -> String? {
        await withTaskGroup(of: String?.self) { group in
            group.addTask {
                do {
                    try await check()
                    return nil
                } catch {
                    return String(describing: error)
                }
            }
            group.addTask {
                do {
                    try await Task.sleep(for: timeout)
                } catch {
                    return "cancelled"
                }
                return TimedOut(timeout: timeout).description
            }
            let first = await group.next() ?? "no result"
            group.cancelAll()
            return first
        }
    }
}
