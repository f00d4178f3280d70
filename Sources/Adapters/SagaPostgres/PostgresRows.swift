import Foundation
import NIOCore
import PostgresNIO
import SagaCore

/// Mapping between the PostgreSQL store's rows and the engine's values. Times are stored as
/// seconds since 1970 (`double precision`), as the SQLite store does, so a `Date` reads back equal.
enum PostgresRows {
    /// The instance columns written on insert and update (version excluded: it is managed apart).
    static let columns = [
        "saga_id", "saga_type", "definition_version", "status", "phase", "step_index", "attempt", "request_sequence",
        "pending_request_id", "step_started_at", "deadline", "deadline_kind", "completed_steps", "uncertain_step", "data",
        "failure_reason", "created_at", "updated_at", "request_sent_at", "trace_parent", "trace_state", "list_progress",
    ]

    /// The parameter of column `index` of ``columns`` (`$n`, cast where the column is not text).
    static func placeholder(_ index: Int) -> String {
        columns[index] == "list_progress" ? "$\(index + 1)::jsonb" : "$\(index + 1)"
    }

    /// Appends `state`'s column values to `binds`, in ``columns`` order.
    static func bind(_ s: SagaState, to binds: inout PostgresBindings) throws {
        binds.append(s.sagaID)
        binds.append(s.sagaType)
        binds.append(s.definitionVersion)
        binds.append(s.status.rawValue)
        binds.append(s.phase.rawValue)
        binds.append(s.stepIndex)
        binds.append(s.attempt)
        binds.append(s.requestSequence)
        binds.append(s.pendingRequestID)
        binds.append(s.stepStartedAt?.timeIntervalSince1970)
        binds.append(s.deadline?.timeIntervalSince1970)
        binds.append(s.deadlineKind?.rawValue)
        binds.append(s.completedSteps)
        binds.append(s.uncertainStep)
        try binds.append(Data(s.data))
        binds.append(s.failureReason)
        binds.append(s.createdAt.timeIntervalSince1970)
        binds.append(s.updatedAt.timeIntervalSince1970)
        binds.append(s.requestSentAt?.timeIntervalSince1970)
        binds.append(s.traceParent)
        binds.append(s.traceState)
        binds.append(try listProgressText(s.listProgress))
    }

    /// A list step's progress as JSON text (`NULL` for single steps).
    static func listProgressText(_ progress: ListProgress?) throws -> String? {
        guard let progress else { return nil }
        return String(decoding: try JSONEncoder().encode(progress), as: UTF8.self)
    }

    static func state(_ row: PostgresRandomAccessRow) throws -> SagaState {
        let id = try PostgresRowReader(row: row, table: "saga_instance", key: "?")("saga_id", String.self)
        let read = PostgresRowReader(row: row, table: "saga_instance", key: id)
        func date(_ column: String) throws -> Date? { try read(column, Double?.self).map { Date(timeIntervalSince1970: $0) } }
        var listProgress: ListProgress?
        if let text = try read("list_progress", String?.self) {
            do {
                listProgress = try JSONDecoder().decode(ListProgress.self, from: Data(text.utf8))
            } catch {
                throw read.corrupt("list_progress: \(error)")
            }
        }
        return SagaState(
            sagaID: id, sagaType: try read("saga_type"), definitionVersion: try read("definition_version"),
            status: try read.value("status", SagaStatus.self), phase: try read.value("phase", SagaPhase.self),
            stepIndex: try read("step_index"), attempt: try read("attempt"), requestSequence: try read("request_sequence"),
            pendingRequestID: try read("pending_request_id"), stepStartedAt: try date("step_started_at"),
            deadline: try date("deadline"), deadlineKind: try read.optionalValue("deadline_kind", SagaDeadlineKind.self),
            completedSteps: try read("completed_steps", [Int].self), uncertainStep: try read("uncertain_step"),
            listProgress: listProgress, data: Array(try read("data", Data.self)), failureReason: try read("failure_reason"),
            version: try read("version"), createdAt: try date("created_at") ?? Date(timeIntervalSince1970: 0),
            updatedAt: try date("updated_at") ?? Date(timeIntervalSince1970: 0), requestSentAt: try date("request_sent_at"),
            traceParent: try read("trace_parent"), traceState: try read("trace_state")
        )
    }

    /// Writes one change of the step history, sent without waiting for its answer.
    static func write(_ change: StepHistoryChange, sagaID: String, in transaction: PostgresTransaction) throws {
        switch change {
        case .started(let sequence, let requestID, let phase, let stepIndex, let stepName, let attempt, let at, let uncertain, let item):
            try transaction.send("""
                INSERT INTO saga_step_history (saga_id, sequence, request_id, phase, step_index, step_name, attempt, started_at, uncertain, item)
                VALUES (\(sagaID), \(sequence), \(requestID), \(phase.rawValue), \(stepIndex), \(stepName), \(attempt),
                        \(at.timeIntervalSince1970), \(uncertain), \(item))
                """)
        case .finished(let sequence, let outcome, let error, let at):
            try transaction.send("""
                UPDATE saga_step_history SET finished_at = \(at.timeIntervalSince1970), outcome = \(outcome.rawValue), error = \(error)
                WHERE saga_id = \(sagaID) AND sequence = \(sequence)
                """)
        case .lateReply(let requestID, let status, let replyID, let at):
            try transaction.send("""
                UPDATE saga_step_history SET late_reply_status = \(status.rawValue), late_reply_id = \(replyID),
                    late_reply_at = \(at.timeIntervalSince1970)
                WHERE saga_id = \(sagaID) AND request_id = \(requestID)
                """)
        }
    }

    static func attempt(_ row: PostgresRandomAccessRow) throws -> StepAttemptRecord {
        let head = PostgresRowReader(row: row, table: "saga_step_history", key: "?")
        let read = PostgresRowReader(
            row: row, table: "saga_step_history", key: "\(try head("saga_id", String.self))#\(try head("sequence", Int.self))")
        var late: LateReply?
        if let status = try read.optionalValue("late_reply_status", ReplyStatus.self) {
            late = LateReply(
                status: status, replyID: try read("late_reply_id"),
                at: Date(timeIntervalSince1970: try read("late_reply_at")))
        }
        return StepAttemptRecord(
            sequence: try read("sequence"), requestID: try read("request_id"), phase: try read.value("phase", SagaPhase.self),
            stepIndex: try read("step_index"), stepName: try read("step_name"), attempt: try read("attempt"),
            startedAt: Date(timeIntervalSince1970: try read("started_at")),
            finishedAt: try read("finished_at", Double?.self).map { Date(timeIntervalSince1970: $0) },
            outcome: try read.optionalValue("outcome", StepOutcome.self), error: try read("error"), lateReply: late,
            compensatesUncertainStep: try read("uncertain"), item: try read("item")
        )
    }

    static func outbox(_ row: PostgresRandomAccessRow) throws -> OutboxRecord {
        let id = try PostgresRowReader(row: row, table: "outbox", key: "?")("id", Int64.self)
        let read = PostgresRowReader(row: row, table: "outbox", key: String(id))
        let keys = try read("header_keys", [String].self)
        let values = try read("header_values", [ByteBuffer].self)
        guard keys.count == values.count else { throw read.corrupt("\(keys.count) header keys, \(values.count) values") }
        let headers = zip(keys, values).map { SagaHeader(key: $0, value: Array($1.readableBytesView)) }
        return OutboxRecord(
            id: id,
            message: OutgoingMessage(
                topic: try read("topic"), key: Array(try read("key", Data.self)), value: Array(try read("value", Data.self)),
                headers: headers),
            createdAt: Date(timeIntervalSince1970: try read("created_at"))
        )
    }

    static func replay(_ row: PostgresRandomAccessRow) throws -> ReplayRecord {
        let id = try PostgresRowReader(row: row, table: "dlq_replay", key: "?")("replay_id", String.self)
        let read = PostgresRowReader(row: row, table: "dlq_replay", key: id)
        return ReplayRecord(
            request: ReplayRequest(
                replayID: id, dlqTopic: try read("dlq_topic"), dlqPartition: try read("dlq_partition"),
                dlqOffset: try read("dlq_offset"), originalTopic: try read("original_topic"),
                requestedAt: Date(timeIntervalSince1970: try read("requested_at"))),
            forced: try read("forced"), outcome: try read.value("outcome", ReplayOutcome.self), detail: try read("detail"),
            outcomeAt: try read("outcome_at", Double?.self).map { Date(timeIntervalSince1970: $0) }
        )
    }
}
