import Avro
import Foundation
import Logging
import SagaCore
import SagaSQLite

/// Operates sagas in process through the ``SagaOrchestrator`` (the `orchestrator` role, or
/// `all`), recording every action in the store's audit trail and, through the same store's
/// outbox, on the audit topic.
///
/// The action and its audit entry are two transactions: the action first, then the entry. If the
/// entry cannot be written after the action took effect, the answer is a 500 saying so (and it is
/// logged), so the operator knows the saga changed.
public struct LocalSagaOperating: SagaOperating {
    private let orchestrator: SagaOrchestrator
    private let trail: any AuditTrail
    private let auditTopic: String?
    private let logger: Logger

    /// Operates through `orchestrator`, recording in `trail` (the orchestrator's store) and publishing to `auditTopic` (nil: not published).
    public init(orchestrator: SagaOrchestrator, trail: any AuditTrail, auditTopic: String?, logger: Logger = Logger(label: "saga.operator")) {
        self.orchestrator = orchestrator
        self.trail = trail
        self.auditTopic = auditTopic
        self.logger = logger
    }

    public func retry(sagaID: String) async throws(Problem) -> JSONValue {
        try await act(.sagaRetry, sagaID: sagaID, note: nil) { () async throws(SagaRuntimeError) in
            try await orchestrator.retry(sagaID: sagaID)
        }
    }

    public func resolve(sagaID: String, note: String) async throws(Problem) -> JSONValue {
        try await act(.sagaResolve, sagaID: sagaID, note: note) { () async throws(SagaRuntimeError) in
            try await orchestrator.resolve(sagaID: sagaID, note: note)
        }
    }

    public func auditTrail(_ page: AuditPageRequest) async throws(Problem) -> JSONValue {
        var before: Int64?
        if let cursor = page.cursor {
            guard let sequence = Int64(cursor), sequence > 0 else {
                throw Problem.invalid([FieldError(field: "cursor", message: "is not a cursor of this list (use the `next` of a previous page)")])
            }
            before = sequence
        }
        let entries: [AuditEntry]
        do {
            entries = try await trail.auditEntries(before: before, target: page.target, limit: page.limit)
        } catch {
            throw Problem(.internalError, detail: "the audit trail could not be read: \(error)")
        }
        let next: JSONValue = entries.count == page.limit ? entries.last.map { .string(String($0.sequence)) } ?? .null : .null
        return .object([("entries", .array(entries.map(\.json))), ("next", next)])
    }

    /// Runs `action` on the saga, records how it ended, and answers (or throws) accordingly.
    private func act(
        _ action: AuditAction, sagaID: String, note: String?, _ body: () async throws(SagaRuntimeError) -> SagaOrchestrator.EventResult
    ) async throws(Problem) -> JSONValue {
        // The entry is dated when the operator acted, before the action's commit: a saga's timeline
        // shows the action before the commands it caused.
        let actedAt = Date()
        var outcome = AuditOutcome.failed
        var detail: String
        var problem: Problem?
        var state: SagaStatus?
        do {
            switch try await body() {
            case .applied(let status):
                outcome = .applied
                state = status
                detail = "the saga is \(status) now"
            case .ignored(.notParked(let status)):
                outcome = .ignored
                state = status
                detail = "the saga is \(status), not parked (failed): nothing to \(action == .sagaRetry ? "retry" : "resolve")"
                problem = Problem(.sagaNotParked, detail: "saga \(sagaID) is \(status): only a parked (failed) saga can be retried or resolved",
                    extensions: [.init("state", .string(status.rawValue))])
            case .ignored(let reason):
                outcome = .ignored
                detail = "ignored: \(reason)"
                problem = Problem(.sagaNotParked, detail: "saga \(sagaID): the command was ignored (\(reason))")
            case .duplicateMessage:
                outcome = .ignored
                detail = "ignored: a duplicate"
            }
        } catch {
            if case .unknownSaga = error {
                detail = "no saga has this id"
                problem = Problem(.notFound, detail: "no saga has id \(sagaID)")
            } else {
                detail = error.description
                problem = Problem(.internalError, detail: "\(action.rawValue) of saga \(sagaID) failed: \(error)")
            }
        }
        let caller = APICaller.current
        let entry = AuditEntry(at: actedAt, actor: caller?.name ?? "unknown", role: caller?.role?.rawValue, action: action, target: sagaID,
            note: note, outcome: outcome, detail: detail)
        let recorded: AuditEntry
        do {
            recorded = try await trail.recordAudit(entry, message: auditTopic.map { entry.message(topic: $0) })
        } catch {
            logger.error("audit entry not recorded", metadata: [
                "action": "\(action.rawValue)", "saga": "\(sagaID)", "actor": "\(entry.actor)", "outcome": "\(outcome.rawValue)",
                "error": "\(error)",
            ])
            throw Problem(.internalError, detail: "\(action.rawValue) of saga \(sagaID) ended \(outcome.rawValue) (\(detail)), "
                + "but its audit entry could not be recorded: \(error)")
        }
        await orchestrator.outboxDoorbell.ring()
        logger.notice("operator action", metadata: [
            "action": "\(action.rawValue)", "saga": "\(sagaID)", "actor": "\(entry.actor)", "outcome": "\(outcome.rawValue)",
        ])
        if var problem {
            problem.extensions.append(.init("audit", recorded.json))
            throw problem
        }
        return .object([
            ("sagaId", .string(sagaID)), ("action", .string(action.rawValue)), ("outcome", .string(outcome.rawValue)),
            ("state", state.map { .string($0.rawValue) } ?? .null), ("audit", recorded.json),
        ])
    }
}
