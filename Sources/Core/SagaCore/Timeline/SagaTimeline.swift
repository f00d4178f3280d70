import Foundation

/// One saga's timeline as operators read it (`GET /sagas/{id}/timeline`, `sagactl saga
/// timeline`): its state, and every message the orchestrator kept for it merged with the
/// operators' actions on it, oldest first.
public struct SagaTimeline: Sendable, Hashable {
    /// The saga's state.
    public var state: SagaState
    /// The entries, oldest first, numbered from 1.
    public var entries: [SagaTimelineEntry]

    /// Creates a timeline from entries already merged and numbered.
    public init(state: SagaState, entries: [SagaTimelineEntry]) {
        self.state = state
        self.entries = entries
    }

    /// The timeline of `state` from the stored `messages` (in the order they were written) and
    /// the `audit` entries about the saga (any order): each audit entry goes before the first
    /// message written after it; replies without a step take it (and attempt, item) from the
    /// command they answer; entries are numbered from 1.
    public init(state: SagaState, messages: [SagaTimelineEntry], audit: [AuditEntry]) {
        var commands: [String: SagaTimelineEntry] = [:]
        for message in messages where message.kind == .command || message.kind == .compensation {
            if let id = message.messageID { commands[id] = message }
        }
        var actions = audit.sorted { ($0.at, $0.sequence) < ($1.at, $1.sequence) }.map(Self.entry)[...]
        var merged: [SagaTimelineEntry] = []
        merged.reserveCapacity(messages.count + actions.count)
        for var message in messages {
            while let action = actions.first, action.at < message.at {
                merged.append(action)
                actions.removeFirst()
            }
            if message.kind == .reply, message.step == nil, let id = message.causationID, let command = commands[id] {
                message.step = command.step
                message.attempt = command.attempt
                message.item = command.item
            }
            merged.append(message)
        }
        merged += actions
        for index in merged.indices { merged[index].sequence = Int64(index + 1) }
        self.init(state: state, entries: merged)
    }

    /// An operator's action as a timeline entry: the action as its type, the outcome, and who
    /// did it and why as its detail.
    static func entry(_ audit: AuditEntry) -> SagaTimelineEntry {
        var detail = "by \(audit.actor)" + (audit.role.map { " (\($0))" } ?? "")
        if let note = audit.note { detail += ": \(note)" }
        if let more = audit.detail { detail += " — \(more)" }
        return SagaTimelineEntry(
            at: audit.at, kind: .operator, messageType: audit.action.rawValue, messageID: audit.id,
            outcome: audit.outcome.rawValue, detail: detail
        )
    }
}
