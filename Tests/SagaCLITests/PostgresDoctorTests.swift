import Foundation
import Testing

/// `sagactl doctor --database-url` against the test PostgreSQL cluster: the store is checked
/// read-only, and the password is printed nowhere, neither on success nor on a refused login.
/// `SAGA_TEST_DATABASE_URL`, the cluster scripts/test started (nil when run by hand without it).
private let testDatabaseURL = ProcessInfo.processInfo.environment["SAGA_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }

@Suite("sagactl doctor on PostgreSQL", .enabled(if: testDatabaseURL != nil,
    "SAGA_TEST_DATABASE_URL is unset: run ./scripts/test, or export the URL scripts/postgres start prints"))
struct PostgresDoctorTests {
    private func run(_ url: String, schema: String) async throws -> (checks: [String: [String: Any]], text: String) {
        let result = try await SagactlProcess.run(["doctor", "--json", "--bootstrap-servers", try DoctorTests.bootstrap(),
            "--database-url", url, "--database-schema", schema] + DoctorTests.brokerWait)
        return (try DoctorTests.checks(result), result.text + result.error)
    }

    @Test func theStoreIsCheckedAndThePasswordNeverShown() async throws {
        let url = try #require(testDatabaseURL)
        let components = try #require(URLComponents(string: url))
        let password = try #require(components.password)
        let shown = "store postgres://\(components.user ?? "")@\(components.host ?? ""):\(components.port ?? 0)\(components.path)"

        let fresh = try await run(url, schema: "doctor_\(UUID().uuidString.prefix(8).lowercased())")
        let name = try #require(fresh.checks.keys.first { $0.hasPrefix(shown) }, "\(fresh.checks.keys)")
        #expect(DoctorTests.status(fresh.checks, name) == "WARN", "a schema nobody migrated yet: \(fresh.checks[name] ?? [:])")
        #expect((fresh.checks[name]?["detail"] as? String)?.contains("not yet migrated") == true)
        #expect(!fresh.text.contains(password))

        var wrong = components
        wrong.password = "not-\(password)"
        let refused = try await run(try #require(wrong.string), schema: "orchestrator")
        let refusedName = try #require(refused.checks.keys.first { $0.hasPrefix(shown) }, "\(refused.checks.keys)")
        #expect(DoctorTests.status(refused.checks, refusedName) == "FAIL")
        #expect((refused.checks[refusedName]?["detail"] as? String)?.contains("refused role") == true, "\(refused.checks[refusedName] ?? [:])")
        #expect(!refused.text.contains(password))
    }
}
