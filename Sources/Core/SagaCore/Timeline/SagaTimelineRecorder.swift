import Foundation

/// Turns one transition into the timeline entries its commit writes: what caused it (a reply, a
/// timer), then the lifecycle events it emitted, then the commands it sent — the order in which
/// a person reads them (a reply, the step completed, the next step's command).
struct SagaTimelineRecorder: Sendable {
    /// Which messages to keep.
    var retention: SagaTimelineRetention

    /// The entries of `transition`, caused by `event` (nil for a start) on `before` (the state
    /// the event was applied to; nil for a start), at `at`. `lifecycle` are the lifecycle events
    /// published (``SagaLifecycleEvents``) with their encoded messages; `inbox` is where a reply came from.
    func entries(
        for transition: SagaTransition, event: SagaEvent?, before: SagaState?, stepNames: [String],
        lifecycle: [(event: SagaLifecycleEvent, message: OutgoingMessage)], inbox: InboxEntry?, at: Date
    ) -> [SagaTimelineEntry] {
        guard retention == .all else { return [] }
        var entries: [SagaTimelineEntry] = []
        switch event {
        case .reply(let reply)?:
            var detail = reply.reason
            if transition.ignored == .lateReply {
                detail = "late: the request had already ended" + (reply.reason.map { " (\($0))" } ?? "")
            }
            entries.append(SagaTimelineEntry(
                at: at, kind: .reply, item: reply.item, topic: inbox?.topic, messageType: reply.messageType.isEmpty ? nil : reply.messageType,
                messageID: reply.messageID, causationID: reply.causationID, payload: reply.payload, outcome: Self.outcome(reply.status).rawValue,
                detail: detail
            ))
        case .deadlineReached? where transition.changedState:
            guard let before else { break }
            let step = stepNames.indices.contains(before.stepIndex) ? stepNames[before.stepIndex] : nil
            entries.append(SagaTimelineEntry(
                at: at, kind: .timer, step: step, attempt: before.attempt, outcome: before.deadlineKind?.rawValue,
                detail: before.phase == .compensation ? "compensation" : nil
            ))
        default:
            break
        }
        for (event, message) in lifecycle {
            entries.append(SagaTimelineEntry(
                at: at, kind: .lifecycle, step: event.step, attempt: event.attempt, topic: message.topic,
                messageType: message.headers.string(SagaHeaders.messageType), messageID: event.eventID, causationID: event.causationID,
                payload: message.value, outcome: event.outcome?.rawValue,
                detail: event.kind.rawValue + (event.reason.map { ": \($0)" } ?? "")
            ))
        }
        var phases: [String: SagaPhase] = [:]
        for change in transition.history {
            if case .started(_, let requestID, let phase, _, _, _, _, _, _) = change { phases[requestID] = phase }
        }
        for command in transition.commands {
            let id = command.messageID
            let phase = id.flatMap { phases[$0] } ?? transition.state.phase
            entries.append(SagaTimelineEntry(
                at: at, kind: phase == .compensation ? .compensation : .command, step: command.headers.string(SagaHeaders.step),
                attempt: command.headers.string(SagaHeaders.attempt).flatMap { Int($0) },
                item: command.headers.string(SagaHeaders.item).flatMap { Int($0) }, topic: command.topic,
                messageType: command.headers.string(SagaHeaders.messageType), messageID: id, payload: command.value
            ))
        }
        return entries
    }

    /// A reply's status named as the step history names outcomes (`succeeded`, `businessFailure`, `retriableFailure`).
    static func outcome(_ status: ReplyStatus) -> StepOutcome {
        switch status {
        case .succeeded: .succeeded
        case .businessFailure: .businessFailure
        case .retriableFailure: .retriableFailure
        }
    }
}
