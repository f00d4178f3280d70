import Foundation
import NIOPosix
import PostgresNIO
import SagaCore

extension PostgresSagaStore: ParticipantStore {
    /// Runs `body` in one PostgreSQL transaction on one of the store's blocking threads and commits
    /// it: the service's own changes (``PostgresTransaction/query(_:)``) and the engine's inbox
    /// entry, remembered reply and outbox rows commit together. An error thrown by `body` rolls
    /// everything back and is rethrown as it is; a failure of the database itself is thrown as a
    /// ``SagaStoreError`` naming `operation`.
    public func transaction<Result: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (PostgresTransaction) throws -> Result
    ) async throws -> Result {
        do {
            return try await run(body)
        } catch let error where Self.isConnectionFailure(error) {
            throw Self.wrap(error, operation)
        } catch let error as PostgresStoreError {
            throw SagaStoreError.database(operation: operation, underlying: error.description)
        } catch is CancellationError {
            throw SagaStoreError.cancelled(operation: operation)
        } catch let error as NIOThreadPoolError.ThreadPoolInactive {
            throw SagaStoreError.database(operation: operation, underlying: "the store is closed (\(error))")
        }
    }

    /// A postgres-nio error (a lost connection, a server error) or a failure to connect that a
    /// handler's statement met, as the store's failure; nil for the handler's own errors.
    public func storeFailure(_ error: any Error, operation: String) -> SagaStoreError? {
        switch error {
        case let error as SagaStoreError: error
        case _ where Self.isConnectionFailure(error): Self.wrap(error, operation)
        case let error as PostgresStoreError: .database(operation: operation, underlying: error.description)
        default: nil
        }
    }

    /// An error of postgres-nio or of the connection under it (closed, silent past the statement
    /// timeout, or unable to begin: a handler's or a `prepare`'s first statement carries the
    /// transaction's `BEGIN`): the database's, never the caller's.
    static func isConnectionFailure(_ error: any Error) -> Bool {
        error is PSQLError || error is PostgresStatementTimedOut || error is PostgresConnectionClosed || error is StaleConnection
    }
}
