import Foundation

/// Where each item of a step over a list stands (see ``SagaStep/items``), in the phase the saga
/// is in: going forward, the items' commands; compensating, their undo. The store keeps it with
/// the saga (``SagaState/listProgress``) as long as the step is in progress.
public struct ListProgress: Sendable, Hashable, Codable {
    /// One entry per item, by index.
    public var items: [ListItemProgress]

    /// Creates the progress of `count` items, none sent.
    public init(count: Int) {
        items = Array(repeating: ListItemProgress(), count: count)
    }

    /// Creates a progress from its items (the store uses this when loading).
    public init(items: [ListItemProgress]) {
        self.items = items
    }

    /// Items with a request outstanding: awaiting a reply, or waiting to be sent again.
    var outstanding: Int { items.count { $0.status == .awaiting || $0.status == .backingOff } }

    /// Whether every item is done or needs nothing.
    var isFinished: Bool { items.allSatisfy { $0.status == .done || $0.status == .skipped } }

    /// The earliest timer of any item, and what it is for.
    var nextDeadline: (date: Date, kind: SagaDeadlineKind)? {
        items.compactMap { item -> (Date, SagaDeadlineKind)? in
            guard let deadline = item.deadline else { return nil }
            return (deadline, item.status == .backingOff ? .retryBackoff : .replyTimeout)
        }.min { $0.0 < $1.0 }
    }
}

/// One item of a step over a list.
public struct ListItemProgress: Sendable, Hashable, Codable {
    /// Where an item stands in the current phase.
    public enum Status: String, Sendable, Hashable, Codable {
        /// Not sent yet (held back by the step's limit).
        case waiting
        /// Sent; its reply is awaited until ``ListItemProgress/deadline``.
        case awaiting
        /// Failed retriably; sent again at ``ListItemProgress/deadline``.
        case backingOff
        /// Succeeded (forward) or undone (compensating).
        case done
        /// Failed for good; the saga compensates or parks.
        case failed
        /// Needs nothing in this phase (compensating: never sent, or refused going forward).
        case skipped
    }

    /// Where the item stands.
    public var status: Status
    /// The attempt number of its last request (0: none sent in this phase).
    public var attempt: Int
    /// The saga-wide sequence number of its last request (its message id derives from it).
    public var sequence: Int?
    /// When its timer fires (reply timeout or end of backoff), if one is set.
    public var deadline: Date?
    /// Whether its forward outcome is unknown (it was in flight or timed out when the step failed),
    /// so its undo may find nothing to undo.
    public var uncertain: Bool

    /// Creates an item's progress.
    public init(status: Status = .waiting, attempt: Int = 0, sequence: Int? = nil, deadline: Date? = nil, uncertain: Bool = false) {
        self.status = status
        self.attempt = attempt
        self.sequence = sequence
        self.deadline = deadline
        self.uncertain = uncertain
    }
}
