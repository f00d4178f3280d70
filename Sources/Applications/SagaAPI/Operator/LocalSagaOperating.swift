import Avro
import Foundation
import Logging
import SagaCore
import SagaSQLite

/// Operates sagas in process through the ``SagaOrchestrator`` (the `orchestrator` role, or
/// `all`), recording every action in the store's audit trail and, through the same store's
/// outbox, on the audit topic.
///
/// An action that reaches the saga is committed in one transaction with its audit entry: the
/// saga changes and the entry is recorded, or neither happens. An action that changes nothing
/// (no such saga, a store that fails) is recorded on its own afterwards.
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
        try await act(.sagaRetry, sagaID: sagaID, note: nil) { (audit) async throws(SagaRuntimeError) in
            try await orchestrator.retry(sagaID: sagaID, audit: audit)
        }
    }

    public func resolve(sagaID: String, note: String) async throws(Problem) -> JSONValue {
        try await act(.sagaResolve, sagaID: sagaID, note: note) { (audit) async throws(SagaRuntimeError) in
            try await orchestrator.resolve(sagaID: sagaID, note: note, audit: audit)
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

    /// Runs `body` on the saga (handing it the maker of the audit entry to commit with the
    /// change), and answers (or throws) with how it ended and the entry as recorded.
    private func act(
        _ action: AuditAction, sagaID: String, note: String?,
        _ body: (@escaping SagaOrchestrator.Auditing) async throws(SagaRuntimeError) -> SagaOrchestrator.EventResult
    ) async throws(Problem) -> JSONValue {
        // The entry is dated when the operator acted, before the action's commit: a saga's timeline
        // shows the action before the commands it caused.
        let caller = APICaller.current
        let template = AuditEntry(at: Date(), actor: caller?.name ?? "unknown", role: caller?.role?.rawValue, action: action,
            target: sagaID, note: note, outcome: .failed, detail: nil)
        let auditTopic = self.auditTopic
        let write: @Sendable (OperatorOutcome) -> AuditWrite = { outcome in
            var entry = template
            entry.outcome = outcome.audit
            entry.detail = outcome.detail
            return AuditWrite(entry: entry, message: auditTopic.map { entry.message(topic: $0) })
        }
        let outcome: OperatorOutcome
        let recorded: AuditEntry
        do {
            let result = try await body { result in write(OperatorOutcome(result, action: action, sagaID: sagaID)) }
            outcome = OperatorOutcome(result, action: action, sagaID: sagaID)
            recorded = await committedEntry(write(outcome).entry)
        } catch {
            outcome = OperatorOutcome(error, action: action, sagaID: sagaID)
            recorded = try await record(write(outcome), sagaID: sagaID)
        }
        await orchestrator.outboxDoorbell.ring()
        logger.notice("operator action", metadata: [
            "action": "\(action.rawValue)", "saga": "\(sagaID)", "actor": "\(recorded.actor)", "outcome": "\(outcome.audit.rawValue)",
        ])
        if var problem = outcome.problem {
            problem.extensions.append(.init("audit", recorded.json))
            throw problem
        }
        return .object([
            ("sagaId", .string(sagaID)), ("action", .string(action.rawValue)), ("outcome", .string(outcome.audit.rawValue)),
            ("state", outcome.state.map { .string($0.rawValue) } ?? .null), ("audit", recorded.json),
        ])
    }

    /// The entry committed with the action, read back for its sequence (the action and its entry
    /// stand either way: a failed read only leaves the sequence out of the answer, and is logged).
    private func committedEntry(_ entry: AuditEntry) async -> AuditEntry {
        do {
            if let recorded = try await trail.auditEntry(id: entry.id) { return recorded }
            logger.error("audit entry committed with its action not found", metadata: ["audit": "\(entry.id)", "saga": "\(entry.target)"])
        } catch {
            logger.warning("audit entry committed but not read back", metadata: ["audit": "\(entry.id)", "error": "\(error)"])
        }
        return entry
    }

    /// Records the entry of an action that changed nothing, on its own.
    private func record(_ write: AuditWrite, sagaID: String) async throws(Problem) -> AuditEntry {
        do {
            return try await trail.recordAudit(write.entry, message: write.message)
        } catch {
            let entry = write.entry
            logger.error("audit entry not recorded", metadata: [
                "action": "\(entry.action.rawValue)", "saga": "\(sagaID)", "actor": "\(entry.actor)", "outcome": "\(entry.outcome.rawValue)",
                "error": "\(error)",
            ])
            throw Problem(.internalError, detail: "\(entry.action.rawValue) of saga \(sagaID) ended \(entry.outcome.rawValue) "
                + "(\(entry.detail ?? "")), but its audit entry could not be recorded: \(error)")
        }
    }
}

/// How an operator's action on a saga ended: the audit outcome and its words, the saga's state,
/// and the problem to answer with (nil: success).
struct OperatorOutcome: Sendable {
    var audit: AuditOutcome
    var detail: String
    var state: SagaStatus?
    var problem: Problem?

    init(_ result: SagaOrchestrator.EventResult, action: AuditAction, sagaID: String) {
        switch result {
        case .applied(let status):
            (audit, state, detail) = (.applied, status, "the saga is \(status) now")
        case .ignored(.notParked(let status)):
            (audit, state) = (.ignored, status)
            detail = "the saga is \(status), not parked (failed): nothing to \(action == .sagaRetry ? "retry" : "resolve")"
            problem = Problem(.sagaNotParked, detail: "saga \(sagaID) is \(status): only a parked (failed) saga can be retried or resolved",
                extensions: [.init("state", .string(status.rawValue))])
        case .ignored(let reason):
            (audit, detail) = (.ignored, "ignored: \(reason)")
            problem = Problem(.sagaNotParked, detail: "saga \(sagaID): the command was ignored (\(reason))")
        case .duplicateMessage:
            (audit, detail) = (.ignored, "ignored: a duplicate")
        }
    }

    init(_ error: SagaRuntimeError, action: AuditAction, sagaID: String) {
        audit = .failed
        if case .unknownSaga = error {
            detail = "no saga has this id"
            problem = Problem(.notFound, detail: "no saga has id \(sagaID)")
        } else {
            detail = error.description
            problem = Problem(.internalError, detail: "\(action.rawValue) of saga \(sagaID) failed: \(error)")
        }
    }
}
