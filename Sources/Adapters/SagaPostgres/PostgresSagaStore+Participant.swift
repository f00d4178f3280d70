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
        } catch let error as PSQLError {
            throw Self.wrap(error, operation)
        } catch let error as PostgresStoreError {
            throw SagaStoreError.database(operation: operation, underlying: error.description)
        } catch is CancellationError {
            throw SagaStoreError.cancelled(operation: operation)
        } catch let error as NIOThreadPoolError.ThreadPoolInactive {
            throw SagaStoreError.database(operation: operation, underlying: "the store is closed (\(error))")
        }
    }
}
