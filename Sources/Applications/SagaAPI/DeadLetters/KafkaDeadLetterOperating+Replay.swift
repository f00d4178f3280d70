import Avro
import Foundation
import Kafka
import SagaAvro
import SagaCore
import SagaKafka

extension KafkaDeadLetterOperating {
    public func replay(_ request: DeadLetterReplayRequest) async throws(Problem) -> JSONValue {
        if case .letters(let ids) = request.choice, let other = ids.first(where: { $0.topic != request.topic }) {
            throw Problem.invalid([FieldError(field: "letters", message: "\(other) is not a letter of \(request.topic)")])
        }
        let selected: [DeadLetter]
        do {
            selected = try request.selection.select(from: try await letters(of: request.topic))
        } catch let error as DeadLetterSelectionError {
            throw Problem(.notFound, detail: "\(request.topic): " + Self.describe(error))
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(.internalError, detail: "selecting letters of \(request.topic) failed: \(error)")
        }
        var results: [JSONValue] = []
        for letter in selected {
            results.append(try await publish(letter, value: nil, action: .dlqReplay, note: request.note))
        }
        return .object([("replayed", .integer(Int64(results.count { $0["outcome"] == .string(DeadLetterReplay.Outcome.pending.rawValue) }))),
                        ("letters", .array(results))])
    }

    public func editAndReplay(id: DeadLetterID, value: JSONValue, note: String?) async throws(Problem) -> JSONValue {
        let letter = try await find(id)
        guard let type = letter.messageType ?? (try? codec.decode(letter.record.value).get().type) else {
            throw Problem(.valueDoesNotFitSchema, detail: "\(id) has no message-type header and its value is not of a known schema: "
                + "there is no schema to check the edit against")
        }
        let bytes: [UInt8]
        do {
            bytes = try codec.encode(value, type: type)
        } catch {
            let field = error.field.map { $0.isEmpty ? "value" : "value.\($0)" } ?? "value"
            throw Problem(.valueDoesNotFitSchema, detail: "the value does not fit \(type): \(error.description)",
                errors: [FieldError(field: field, message: error.message)])
        }
        return try await publish(letter, value: bytes, action: .dlqEditAndReplay, note: note)
    }

    /// Publishes the replay of `letter` (with `value` when edited), records it in the audit trail,
    /// and answers `{id, replayId, outcome}` (`pending`, or `notPublished` with `error`).
    func publish(_ letter: DeadLetter, value: [UInt8]?, action: AuditAction, note: String?) async throws(Problem) -> JSONValue {
        let caller = APICaller.current
        let replayID = UUID().uuidString.lowercased()
        var annotations = [SagaHeader(DeadLetterHeaders.replayOf, letter.id)]
        if let caller { annotations.append(SagaHeader(DeadLetterHeaders.replayBy, caller.name)) }
        var outcome = DeadLetterReplay.Outcome.pending
        var detail: String
        var failure: String?
        do {
            let report = try await publisher.publish(letter.record, replayID: replayID, value: value, annotations: annotations)
            detail = "replay \(replayID) published to \(report.topic)/\(report.partition)@\(report.offset)"
        } catch {
            outcome = .notPublished
            failure = String(describing: error)
            detail = "replay \(replayID) not published: \(error)"
        }
        let entry = AuditEntry(actor: caller?.name ?? "unknown", role: caller?.role?.rawValue, action: action, target: letter.id,
            note: note, outcome: outcome == .pending ? .applied : .failed, detail: detail)
        let recorded: AuditEntry
        do {
            recorded = try await trail.recordAudit(entry, message: auditTopic.map { entry.message(topic: $0) })
        } catch {
            logger.error("audit entry not recorded", metadata: [
                "action": "\(action.rawValue)", "letter": "\(letter.id)", "actor": "\(entry.actor)", "error": "\(error)",
            ])
            throw Problem(.internalError, detail: "\(action.rawValue) of \(letter.id): \(detail), but its audit entry could not be recorded: \(error)")
        }
        await afterRecording()
        logger.notice("operator action", metadata: [
            "action": "\(action.rawValue)", "letter": "\(letter.id)", "actor": "\(entry.actor)", "outcome": "\(outcome.rawValue)",
        ])
        var members: [(key: String, value: JSONValue)] = [
            ("id", .string(letter.id)), ("replayId", .string(replayID)), ("outcome", .string(outcome.rawValue)),
        ]
        if let failure { members.append(("error", .string(failure))) }
        members.append(("audit", recorded.json))
        return .object(members)
    }

    /// A selection error in the API's words (sagactl's option names become body fields).
    static func describe(_ error: DeadLetterSelectionError) -> String {
        switch error {
        case .nothingSelected: "no letters chosen"
        case .malformed(_, let value, let expected): "\(value): expected \(expected)"
        case .noMatch(let selector, let value, let reason): "\(selector == "offset" ? "letter" : selector) \(value): \(reason)"
        case .ambiguousOffset(let value): "offset \(value) is on several partitions"
        }
    }
}
