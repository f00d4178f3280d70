import SagaCore
import Foundation
import GRDB

/// Mapping between the store's rows and the engine's values.
enum SQLiteRows {
    /// The instance columns written on insert and update (version excluded: it is managed apart).
    static let columns = """
        saga_id, saga_type, definition_version, status, phase, step_index, attempt, request_sequence, \
        pending_request_id, step_started_at, deadline, deadline_kind, completed_steps, uncertain_step, data, failure_reason, created_at, updated_at, \
        request_sent_at, trace_parent, trace_state, list_progress
        """
    static let placeholders = Array(repeating: "?", count: 22).joined(separator: ", ")

    static func arguments(_ s: SagaState) throws -> StatementArguments {
        [
            s.sagaID, s.sagaType, s.definitionVersion, s.status.rawValue, s.phase.rawValue, s.stepIndex, s.attempt,
            s.requestSequence, s.pendingRequestID, s.stepStartedAt?.timeIntervalSince1970, s.deadline?.timeIntervalSince1970, s.deadlineKind?.rawValue,
            s.completedSteps.map(String.init).joined(separator: ","), s.uncertainStep, Data(s.data), s.failureReason,
            s.createdAt.timeIntervalSince1970, s.updatedAt.timeIntervalSince1970, s.requestSentAt?.timeIntervalSince1970,
            s.traceParent, s.traceState, try listProgressText(s.listProgress),
        ]
    }

    /// A list step's progress as JSON text (`NULL` for single steps).
    static func listProgressText(_ progress: ListProgress?) throws -> String? {
        guard let progress else { return nil }
        return String(decoding: try JSONEncoder().encode(progress), as: UTF8.self)
    }

    static func listProgress(_ text: String?, sagaID: String) throws -> ListProgress? {
        guard let text else { return nil }
        do {
            return try JSONDecoder().decode(ListProgress.self, from: Data(text.utf8))
        } catch {
            throw SagaStoreError.corruptRow(table: "saga_instance", key: sagaID, detail: "list_progress: \(error)")
        }
    }

    static func state(_ row: Row) throws -> SagaState {
        let id: String = row["saga_id"]
        func value<E: RawRepresentable<String>>(_ column: String, _: E.Type) throws -> E {
            let raw: String = row[column]
            guard let parsed = E(rawValue: raw) else {
                throw SagaStoreError.corruptRow(table: "saga_instance", key: id, detail: "\(column) '\(raw)'")
            }
            return parsed
        }
        let completedText: String = row["completed_steps"]
        var completed: [Int] = []
        for part in completedText.split(separator: ",") {
            guard let index = Int(part) else {
                throw SagaStoreError.corruptRow(table: "saga_instance", key: id, detail: "completed_steps '\(completedText)'")
            }
            completed.append(index)
        }
        let deadlineKind: String? = row["deadline_kind"]
        let data: Data = row["data"]
        return SagaState(
            sagaID: id, sagaType: row["saga_type"], definitionVersion: row["definition_version"],
            status: try value("status", SagaStatus.self), phase: try value("phase", SagaPhase.self),
            stepIndex: row["step_index"], attempt: row["attempt"], requestSequence: row["request_sequence"],
            pendingRequestID: row["pending_request_id"],
            stepStartedAt: (row["step_started_at"] as Double?).map { Date(timeIntervalSince1970: $0) },
            deadline: (row["deadline"] as Double?).map { Date(timeIntervalSince1970: $0) },
            deadlineKind: try deadlineKind.map { raw in
                guard let kind = SagaDeadlineKind(rawValue: raw) else {
                    throw SagaStoreError.corruptRow(table: "saga_instance", key: id, detail: "deadline_kind '\(raw)'")
                }
                return kind
            },
            completedSteps: completed, uncertainStep: row["uncertain_step"],
            listProgress: try listProgress(row["list_progress"], sagaID: id), data: Array(data), failureReason: row["failure_reason"], version: row["version"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]), updatedAt: Date(timeIntervalSince1970: row["updated_at"]),
            requestSentAt: (row["request_sent_at"] as Double?).map { Date(timeIntervalSince1970: $0) },
            traceParent: row["trace_parent"], traceState: row["trace_state"]
        )
    }

    static func write(_ change: StepHistoryChange, sagaID: String, in db: Database) throws {
        switch change {
        case .started(let sequence, let requestID, let phase, let stepIndex, let stepName, let attempt, let at, let uncertain, let item):
            try db.executeCached(
                sql: """
                    INSERT INTO saga_step_history (saga_id, sequence, request_id, phase, step_index, step_name, attempt, started_at, uncertain, item)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [sagaID, sequence, requestID, phase.rawValue, stepIndex, stepName, attempt, at.timeIntervalSince1970, uncertain, item]
            )
        case .finished(let sequence, let outcome, let error, let at):
            try db.executeCached(
                sql: "UPDATE saga_step_history SET finished_at = ?, outcome = ?, error = ? WHERE saga_id = ? AND sequence = ?",
                arguments: [at.timeIntervalSince1970, outcome.rawValue, error, sagaID, sequence]
            )
        case .lateReply(let requestID, let status, let replyID, let at):
            try db.executeCached(
                sql: """
                    UPDATE saga_step_history SET late_reply_status = ?, late_reply_id = ?, late_reply_at = ?
                    WHERE saga_id = ? AND request_id = ?
                    """,
                arguments: [status.rawValue, replyID, at.timeIntervalSince1970, sagaID, requestID]
            )
        }
    }

    static func attempt(_ row: Row) throws -> StepAttemptRecord {
        let key = "\(row["saga_id"] as String)#\(row["sequence"] as Int)"
        func corrupt(_ detail: String) -> SagaStoreError { .corruptRow(table: "saga_step_history", key: key, detail: detail) }
        let phaseRaw: String = row["phase"]
        guard let phase = SagaPhase(rawValue: phaseRaw) else { throw corrupt("phase '\(phaseRaw)'") }
        let outcomeRaw: String? = row["outcome"]
        let outcome = outcomeRaw.flatMap(StepOutcome.init(rawValue:))
        if outcomeRaw != nil && outcome == nil { throw corrupt("outcome '\(outcomeRaw ?? "")'") }
        var late: LateReply?
        if let statusRaw: String = row["late_reply_status"] {
            guard let status = ReplyStatus(rawValue: statusRaw) else { throw corrupt("late_reply_status '\(statusRaw)'") }
            late = LateReply(status: status, replyID: row["late_reply_id"], at: Date(timeIntervalSince1970: row["late_reply_at"]))
        }
        return StepAttemptRecord(
            sequence: row["sequence"], requestID: row["request_id"], phase: phase, stepIndex: row["step_index"],
            stepName: row["step_name"], attempt: row["attempt"], startedAt: Date(timeIntervalSince1970: row["started_at"]),
            finishedAt: (row["finished_at"] as Double?).map { Date(timeIntervalSince1970: $0) }, outcome: outcome,
            error: row["error"], lateReply: late, compensatesUncertainStep: row["uncertain"], item: row["item"]
        )
    }

    static func outbox(_ row: Row) throws -> OutboxRecord {
        let id: Int64 = row["id"]
        let headerBytes: Data = row["headers"]
        guard let headers = HeaderBlob.decode(Array(headerBytes)) else {
            throw SagaStoreError.corruptRow(table: "outbox", key: String(id), detail: "headers blob")
        }
        let key: Data = row["key"]
        let value: Data = row["value"]
        return OutboxRecord(
            id: id, message: OutgoingMessage(topic: row["topic"], key: Array(key), value: Array(value), headers: headers),
            createdAt: Date(timeIntervalSince1970: row["created_at"])
        )
    }

    static func replay(_ row: Row) throws -> ReplayRecord {
        let id: String = row["replay_id"]
        let outcomeRaw: String = row["outcome"]
        guard let outcome = ReplayOutcome(rawValue: outcomeRaw) else {
            throw SagaStoreError.corruptRow(table: "dlq_replay", key: id, detail: "outcome '\(outcomeRaw)'")
        }
        return ReplayRecord(
            request: ReplayRequest(
                replayID: id, dlqTopic: row["dlq_topic"], dlqPartition: row["dlq_partition"], dlqOffset: row["dlq_offset"],
                originalTopic: row["original_topic"], requestedAt: Date(timeIntervalSince1970: row["requested_at"])
            ),
            forced: row["forced"], outcome: outcome, detail: row["detail"],
            outcomeAt: (row["outcome_at"] as Double?).map { Date(timeIntervalSince1970: $0) }
        )
    }
}
