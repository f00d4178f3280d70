import Foundation
import Logging
import NIOCore
import PostgresNIO
import SagaCore
import Synchronization

/// An open PostgreSQL transaction on one leased connection, used synchronously from one of the
/// store's blocking threads (as GRDB's `Database` is used on SQLite's writer thread).
///
/// A participant's handler receives it (``PostgresSagaStore/transaction(_:_:)``) and changes the
/// service's own tables with ``query(_:)`` in the same transaction as the engine's inbox entry,
/// remembered reply and outbox rows (the ``ParticipantTransaction`` requirements): one commit
/// covers them all, one error rolls them all back. Each call blocks its thread (never a Swift
/// concurrency thread) until the server answers.
public struct PostgresTransaction: Sendable {
    /// The leased connection, in an open transaction.
    let connection: PostgresConnection
    /// Receives postgres-nio's per-query log.
    let logger: Logger
    /// How long one statement may wait for the server's answer (``PostgresStoreConfiguration/statementTimeout``).
    let statementTimeout: TimeInterval
    /// The store's schema (for ``PostgresStatistics``).
    let schema: String
    /// Statements sent with ``send(_:check:)`` whose answers were not read yet, in order.
    private let unanswered = Unanswered()
    /// Inbox entries inserted ahead of the commits or commands that carry them.
    let prerecorded = PrerecordedInbox()
    /// Successful replies read ahead (``prefetchRememberedSuccesses(consumer:idempotencyKeys:)``).
    let remembered = TransactionReads<RememberedSuccess>()

    init(connection: PostgresConnection, logger: Logger, statementTimeout: TimeInterval, schema: String) {
        self.connection = connection
        self.logger = logger
        self.statementTimeout = statementTimeout
        self.schema = schema
    }

    /// Runs `query` and returns its rows and the number of rows it changed.
    ///
    /// A statement with no answer after ``PostgresStoreConfiguration/statementTimeout`` fails
    /// and its connection is closed: a server or network that went silent (a dropped connection
    /// the client has not noticed, packets lost on the way) fails the operation as a store
    /// failure, which the caller retries, instead of holding its thread and message forever.
    ///
    /// - Throws: postgres-nio's `PSQLError` (an error of the server, or of the connection), or
    ///   ``PostgresStatementTimedOut``.
    @discardableResult
    public func query(_ query: PostgresQuery) throws -> PostgresResult {
        let answer = try submit(query)
        PostgresStatistics.waited(schema: schema)
        try readAnswers()
        let result = try wait(for: answer)
        return PostgresResult(result)
    }

    /// Sends a statement whose answer the caller does not need (an insert, an update of a row the
    /// transaction holds) without waiting for it: postgres-nio runs it after the statements
    /// before it, and this thread goes on. Its outcome is read before the next ``query(_:)``,
    /// before `COMMIT`, or by ``flush()``, which throws the first failure; a failed statement
    /// aborts the transaction, so none of the statements after it takes effect either.
    ///
    /// A commit's outbox rows, history and timeline are sent so: one wait for all of them
    /// instead of a wake-up of this thread and of the connection's event loop per statement.
    ///
    /// `check` (when given) reads the statement's answer when it arrives and throws when the
    /// transaction must not commit with it (an update that matched no row): a check deferred
    /// to the end of the transaction instead of a wait for each answer.
    func send(_ query: PostgresQuery, check: (@Sendable (PostgresResult) throws -> Void)? = nil) throws {
        unanswered.append(Unanswered.Statement(answer: try submit(query), check: check))
    }

    /// Waits for the statements ``send(_:check:)`` sent and runs their checks; throws the
    /// first failure (a failed ``begin()`` as ``PostgresSagaStore/StaleConnection``).
    func flush() throws {
        guard unanswered.count > 0 else { return }
        PostgresStatistics.waited(schema: schema)
        try readAnswers()
    }

    private func readAnswers() throws {
        for statement in unanswered.take() {
            let result: PostgresQueryResult
            do {
                result = try wait(for: statement.answer)
            } catch where statement.begins {
                throw PostgresSagaStore.StaleConnection(underlying: error)
            }
            try statement.check?(PostgresResult(result))
        }
    }

    /// Sends `BEGIN` without waiting: its answer is read with the first statement's, one round
    /// trip for both. A failed `BEGIN` is thrown by that read as
    /// ``PostgresSagaStore/StaleConnection`` (nothing ran: only a session that ended fails a
    /// `BEGIN`, and the statements behind it fail with it).
    func begin() throws {
        unanswered.append(Unanswered.Statement(answer: try submit("BEGIN"), check: nil, begins: true))
    }

    /// Whether a statement sent with a check has not been answered yet: its check may still
    /// refuse the transaction, so `COMMIT` must wait for it.
    var awaitsChecks: Bool { unanswered.hasChecks }

    /// Sends `COMMIT` behind the statements not answered yet and waits for them and for it: one
    /// round trip. None of them may carry a check (``awaitsChecks``), since the server commits
    /// without asking.
    ///
    /// - Throws: ``RolledBack`` when a statement before it failed: the server then ended the
    ///   transaction, answering `COMMIT` with `ROLLBACK`, and the session stays usable. Else
    ///   the error of the session or of `COMMIT` itself, after which whether the transaction
    ///   committed is unknown.
    func commit() throws {
        let commit = try submit("COMMIT")
        PostgresStatistics.waited(schema: schema)
        do {
            try readAnswers()
        } catch {
            _ = try? wait(for: commit)
            if sessionEnded(by: error) { throw error }
            throw RolledBack(underlying: error)
        }
        let answer = try wait(for: commit)
        // A transaction whose statements all succeeded is not answered with ROLLBACK; if it is, say so.
        guard answer.metadata.command == "COMMIT" else { throw PostgresUnexpectedAnswer(command: answer.metadata.command) }
    }

    /// A statement failed after `COMMIT` was sent behind it: nothing of the transaction took
    /// effect, and the connection is idle again.
    struct RolledBack: Error {
        var underlying: any Error
    }

    /// Waits for the statements ``send(_:check:)`` sent, ignoring their errors: before a rollback.
    func drain() {
        for statement in unanswered.take() { _ = try? wait(for: statement.answer) }
    }

    private func submit(_ query: PostgresQuery) throws -> EventLoopFuture<PostgresQueryResult> {
        // postgres-nio (1.33) writes a query to a closed channel without failing its promise,
        // so it would never be answered: fail it here, and leave the rare race to the deadline.
        guard !connection.isClosed else { throw PostgresConnectionClosed() }
        PostgresStatistics.ran(query.sql, schema: schema)
        return connection.query(query, logger: logger)
    }

    /// Waits for a statement's answer, at most ``PostgresStoreConfiguration/statementTimeout``.
    private func wait(for answer: EventLoopFuture<PostgresQueryResult>) throws -> PostgresQueryResult {
        let connection = self.connection
        let seconds = statementTimeout
        return try wait(for: answer) { answer in
            answer.fail(PostgresStatementTimedOut(seconds: seconds))
            connection.close().whenComplete { _ in }
        }
    }

    /// Runs a statement without parameters.
    @discardableResult
    func execute(_ sql: String) throws -> PostgresResult {
        try query(PostgresQuery(unsafeSQL: sql))
    }

    /// Whether `error` (met on this transaction's connection) ended its session: the connection
    /// closed or broke, the server ended the session (a `FATAL` error, SQLSTATE class 08 or
    /// 57P), or a statement had no answer in time. The server rolls such a transaction back
    /// itself; sending `ROLLBACK` on the connection would not be answered.
    func sessionEnded(by error: any Error) -> Bool {
        if connection.isClosed || error is PostgresStatementTimedOut || error is PostgresConnectionClosed
            || error is PostgresSagaStore.StaleConnection {
            return true
        }
        guard let error = error as? PSQLError else { return false }
        switch error.code {
        case .clientClosedConnection, .serverClosedConnection, .connectionError, .uncleanShutdown,
             .messageDecodingFailure, .unexpectedBackendMessage:
            return true
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            let severity = error.serverInfo?[.severity] ?? ""
            return severity == "FATAL" || severity == "PANIC" || state.hasPrefix("08") || state.hasPrefix("57P")
        default:
            return false
        }
    }

    /// Closes the connection and waits until it is closed (at most `statementTimeout`), so the
    /// pool never lends it again: after a failure that may have left it broken or mid-protocol.
    func discardConnection() {
        do {
            try wait(for: connection.close()) { $0.succeed() }
        } catch {
            logger.debug("closing a broken connection failed", metadata: ["error": "\(PostgresFailure.detail(error))"])
        }
    }

    /// Blocks until `future` completes, or until `statementTimeout` passed and `onDeadline` has
    /// completed the answer instead (the future's later outcome is then ignored).
    private func wait<Value: Sendable>(
        for future: EventLoopFuture<Value>, onDeadline: @escaping @Sendable (EventLoopPromise<Value>) -> Void
    ) throws -> Value {
        let answer = connection.eventLoop.makePromise(of: Value.self)
        future.cascade(to: answer)
        let deadline = connection.eventLoop.scheduleTask(in: .milliseconds(Int64(statementTimeout * 1000))) { onDeadline(answer) }
        defer { deadline.cancel() }
        return try answer.futureResult.wait()
    }
}

/// The answers ``PostgresTransaction/send(_:)`` has not read yet. One thread uses a transaction
/// at a time; the lock makes the transaction `Sendable`.
private final class Unanswered: Sendable {
    /// A statement sent, and what to check of its answer.
    struct Statement: Sendable {
        var answer: EventLoopFuture<PostgresQueryResult>
        var check: (@Sendable (PostgresResult) throws -> Void)?
        /// The transaction's `BEGIN`.
        var begins = false
    }

    private let statements = Mutex<[Statement]>([])

    func append(_ statement: Statement) {
        statements.withLock { $0.append(statement) }
    }

    var count: Int {
        statements.withLock { $0.count }
    }

    var hasChecks: Bool {
        statements.withLock { $0.contains { $0.check != nil } }
    }

    func take() -> [Statement] {
        statements.withLock { statements in
            defer { statements = [] }
            return statements
        }
    }
}

/// The connection was closed before a statement could be sent (by the server, the network, or
/// after an earlier failure); nothing was sent.
public struct PostgresConnectionClosed: Error, CustomStringConvertible {
    /// A readable description.
    public var description: String { "the connection to PostgreSQL is closed" }
}

/// The server answered `COMMIT` with another command tag (`ROLLBACK`).
struct PostgresUnexpectedAnswer: Error, CustomStringConvertible {
    var command: String
    var description: String { "PostgreSQL answered COMMIT with \(command)" }
}

/// A statement had no answer from the server in time; its connection was closed.
public struct PostgresStatementTimedOut: Error, CustomStringConvertible {
    /// The limit that passed, in seconds.
    public var seconds: TimeInterval
    /// A readable description.
    public var description: String { "no answer from PostgreSQL within \(seconds) s; the connection was closed" }
}

/// What a statement returned.
public struct PostgresResult: Sendable {
    /// Its rows, with columns by name.
    public var rows: [PostgresRandomAccessRow]
    /// How many rows it inserted, updated or deleted (or returned, for a `SELECT`).
    public var changed: Int

    init(_ result: PostgresQueryResult) {
        rows = result.rows.map { $0.makeRandomAccess() }
        changed = result.metadata.rows ?? 0
    }
}
