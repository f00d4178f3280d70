import Foundation
import SagaCore
import SagaPostgres
import SagaTestSupport
import Testing

/// How often the PostgreSQL store waits for the server: `BEGIN` goes out with a transaction's
/// first statement and `COMMIT` behind its last, so a transaction costs the waits of its reads
/// and one more; and what a statement that fails behind a `COMMIT` already sent leaves.
@Suite(.enabled(if: TestDatabase.url != nil, Comment(rawValue: TestDatabase.missing)))
struct PostgresRoundTripTests {
    /// Writing outbox rows is one wait (the insert and `COMMIT` together), and claiming them two:
    /// the claim's lock and update, then `COMMIT`. (Before, `BEGIN` and `COMMIT` each waited on
    /// their own, and the claim's lock too: three and four.)
    @Test func aWriteOfSendsWaitsOnceAndAClaimTwice() async throws {
        let configuration = try PostgresTesting.configuration()
        let schema = configuration.schema
        try await PostgresTesting.withStore(configuration) { store in
            PostgresStatistics.record(schemas: [schema])
            let before = PostgresStatistics.waits(ofSchema: schema)
            try await store.transaction("write two outbox rows") { transaction in
                try transaction.enqueue([Self.message("a"), Self.message("b")])
            }
            let written = PostgresStatistics.waits(ofSchema: schema)
            #expect(written - before == 1)

            let claimed = try await store.pendingOutbox(limit: 10)
            #expect(claimed.map(\.message.topic) == ["a", "b"])
            #expect(PostgresStatistics.waits(ofSchema: schema) - written == 2)
        }
    }

    /// A statement sent without waiting that fails on the server, with `COMMIT` already behind
    /// it: the transaction fails with the server's error, nothing of it is kept (not even what a
    /// statement before it wrote and saw succeed), and the connection serves the next
    /// transaction (the same server process answers).
    @Test func aStatementFailingBehindTheCommitRollsBackAllAndKeepsTheConnection() async throws {
        var configuration = try PostgresTesting.configuration()
        configuration.maximumConnections = 1
        try await PostgresTesting.withStore(configuration) { store in
            // The outbox refuses a row for topic "refused" (a trigger), as a constraint would.
            try await store.transaction("install the refusal") { transaction in
                try transaction.query("CREATE TABLE marker (n int)")
                try transaction.query("""
                    CREATE FUNCTION refuse_topic() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN IF NEW.topic = 'refused' THEN RAISE EXCEPTION 'topic refused by the test'; END IF; RETURN NEW; END $$
                    """)
                try transaction.query(
                    "CREATE TRIGGER refuse_topic BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION refuse_topic()")
            }
            let firstProcess = try await Self.serverProcess(of: store)

            let failure = await #expect(throws: SagaStoreError.self) {
                try await store.transaction("write a marker and a refused row") { transaction in
                    try transaction.query("INSERT INTO marker VALUES (1)")
                    try transaction.enqueue([Self.message("accepted"), Self.message("refused")])
                }
            }
            #expect(failure.map { "\($0)" }?.contains("topic refused by the test") == true, "\(String(describing: failure))")

            let (markers, rows) = try await store.transaction("read what is left") { transaction in
                (
                    try transaction.query("SELECT COUNT(*) AS n FROM marker").rows.first?["n"].decode(Int.self),
                    try transaction.query("SELECT COUNT(*) AS n FROM outbox").rows.first?["n"].decode(Int.self)
                )
            }
            #expect(markers == 0)
            #expect(rows == 0)
            #expect(try await Self.serverProcess(of: store) == firstProcess)
        }
    }

    private static func message(_ topic: String) -> OutgoingMessage {
        OutgoingMessage(topic: topic, key: Array("k".utf8), value: Array("v".utf8), headers: [])
    }

    private static func serverProcess(of store: PostgresSagaStore) async throws -> Int? {
        try await store.transaction("read the server process") { transaction in
            try transaction.query("SELECT pg_backend_pid() AS pid").rows.first?["pid"].decode(Int.self)
        }
    }
}
