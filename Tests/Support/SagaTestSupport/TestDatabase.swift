import Foundation

/// The PostgreSQL database `scripts/test` started (`scripts/postgres`), for the tests that run
/// against PostgreSQL as well as SQLite.
public enum TestDatabase {
    /// `SAGA_TEST_DATABASE_URL`: `postgres://saga:…@127.0.0.1:PORT/saga_test`, or nil when the
    /// tests run without it (by hand, without `scripts/postgres start`).
    public static var url: String? {
        guard let value = ProcessInfo.processInfo.environment["SAGA_TEST_DATABASE_URL"], !value.isEmpty else { return nil }
        return value
    }

    /// Why the PostgreSQL cases did not run, when ``url`` is nil.
    public static let missing = """
        SAGA_TEST_DATABASE_URL is unset: the PostgreSQL cases did not run. ./scripts/test sets it; by hand: \
        port=$(./scripts/postgres free-port); export SAGA_TEST_DATABASE_URL=$(./scripts/postgres start $port)
        """

    /// A fresh schema name for one test, so tests sharing the database never see each other's rows.
    public static func freshSchema(_ prefix: String = "t") -> String {
        "\(prefix)_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
    }
}
