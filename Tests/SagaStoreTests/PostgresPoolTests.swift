import Foundation
import SagaCore
import SagaPostgres
import SagaTestSupport
import Testing

/// The PostgreSQL store's connection pool, as the server sees it in `pg_stat_activity`.
@Suite(.enabled(if: TestDatabase.url != nil, Comment(rawValue: TestDatabase.missing)))
struct PostgresPoolTests {
    /// A schema named by an SQL reserved word, as the order role's default schema `order` is:
    /// the store creates and migrates it, commits in it, and `sagactl doctor`'s inspection reads
    /// it (unquoted, each was a syntax error and the order role could not start on PostgreSQL).
    @Test func aSchemaNamedByAReservedWordWorks() async throws {
        let configuration = try PostgresTesting.configuration(schema: "order")
        try await PostgresTesting.withStore(configuration) { store in
            let message = OutgoingMessage(topic: "t", key: Array("s".utf8), value: [1], headers: [])
            _ = try await store.commit(SagaCommit(outbox: [message]))
            #expect(try await store.pendingOutbox(limit: 10).map(\.message.value).contains([1]))
            _ = try await store.transaction("empty the outbox") { transaction in
                try transaction.query("DELETE FROM outbox")
            }
        }
        let inspection = try await SagaStoreInspection.inspect(configuration)
        #expect(inspection.appliedMigrations == inspection.knownMigrations)
        #expect(inspection.pendingOutbox == 0)
    }

    /// Eight transactions at once on a store allowed two connections: never more than two are
    /// open, and each carries the store's schema in its `application_name`.
    @Test func theStoreOpensAtMostItsMaximumOfConnectionsNamedAfterItsSchema() async throws {
        var configuration = try PostgresTesting.configuration()
        configuration.maximumConnections = 2
        let name = configuration.applicationName
        #expect(name == "saga:\(configuration.schema)")
        let seen = try await PostgresTesting.withStore(configuration) { store in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await store.transaction("count the store's connections") { transaction in
                            try transaction.query("SELECT pg_sleep(0.1)")
                            return try transaction.query("SELECT COUNT(*) AS n FROM pg_stat_activity WHERE application_name = \(name)")
                                .rows.first?["n"].decode(Int.self) ?? -1
                        }
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
        }
        #expect(seen.count == 8)
        #expect(seen.allSatisfy { (1...2).contains($0) }, "connections seen by each transaction: \(seen)")
        #expect(seen.contains(2), "two transactions ran at once: \(seen)")
    }

    /// Every connection starts in the store's schema and without JIT compilation (a thin
    /// estimate would otherwise compile a claim query for tens of milliseconds).
    @Test func connectionsStartInTheSchemaWithoutJIT() async throws {
        let configuration = try PostgresTesting.configuration()
        let settings = try await PostgresTesting.withStore(configuration) { store in
            try await store.transaction("read the session's settings") { transaction in
                let row = try transaction.query("SELECT current_setting('jit') AS jit, current_schema() AS schema").rows.first
                return [try row?["jit"].decode(String.self), try row?["schema"].decode(String.self)]
            }
        }
        #expect(settings == ["off", configuration.schema])
    }
}
