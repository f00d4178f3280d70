/// What ``ConsumerStateMachine`` needs to know of a queued message: its partition (to drop
/// the messages of revoked partitions and to track the one a `run` handler works on).
protocol ConsumerQueuedMessage {
    var topicPartition: TopicPartition { get }
}

/// The consumer's state, as one enum, and a method per event that changes it and returns
/// what the caller must do. Pure: it never calls librdkafka, never blocks and never resumes a
/// continuation. ``ConsumerCore`` calls it with its lock held and performs every returned
/// action (librdkafka calls, resumes, signals) after releasing the lock.
///
/// `Message` is a polled message (owned, to be converted and destroyed by whoever takes it);
/// `Waiter` is a task waiting for a message (a continuation). Both are generic so the unit
/// tests can drive the machine with plain values.
///
/// How the guarantees of the consumer are kept:
/// - *The handle is never used after it was destroyed.* Every use outside the lock is
///   counted first (``ConsumerMembership/handleUsers``, or the store token, or it is the
///   event thread itself, which is the one that destroys the handle); the event thread
///   destroys the handle only in ``State/released``, entered once nothing is counted
///   (``mayRelease``), and no use can be counted from then on. A `run` loop converts the
///   messages it takes without counting: while it is active the consumer cannot start
///   closing (``State/stopping`` waits for the loop to end).
/// - *No lost wake-up.* Every event that makes ``eventThreadMayProceed`` true, finishes a
///   handler a revoke waits for, or gives back the store token or the last handle use while
///   closing, says so (`wake`/`.signal`); the caller broadcasts after the change was made
///   under the lock. A close also yields the consumer queue (counted as a handle use) to end a
///   blocking poll.
/// - *A revoke waits for the in-flight handler* (``revokeMayFinish``) and only then removes
///   the partitions and takes the pending offsets, in one step.
/// - *Offsets are stored only after the handler returned*: they are recorded by
///   ``next(completing:byRunLoop:)`` / ``processed(_:next:)``, and reach librdkafka one
///   batch at a time (the store token), before every poll, before a revoke commits and on close.
/// - *Queued messages of revoked partitions are dropped* (``revokeStarted(_:)``) and returned
///   to the caller to destroy; their offsets are never stored, so the next owner gets them.
struct ConsumerStateMachine<Message: ConsumerQueuedMessage, Waiter> {
    /// The consumer's phase and what it needs in it.
    enum State {
        /// Open, no `run` loop: messages are polled when a task waits for one.
        case running(Running)
        /// Open, a `run` loop is active: messages are also polled ahead (prefetch), and the ones
        /// its handler works on are tracked (``ConsumerMembership/inFlight``).
        case runLoop(Running)
        /// The `run` loop was asked to stop after its current handler: nothing more is handed
        /// out or polled; the loop's end starts the close.
        case stopping(Running)
        /// The event thread leaves the group (committing offsets); waiters end afterwards.
        case closing(Closing)
        /// The handle is being destroyed: no use of it may start.
        case released
        /// The handle is destroyed.
        case closed
        /// Transient, while an associated value is changed (no copy on write).
        case modifying
    }

    /// What an open consumer needs beyond ``handoff`` and ``membership``.
    struct Running {
        var waiters: [WaitingTask] = []
        /// A fatal error: handed to every caller once nothing is queued.
        var failure: KafkaError?
    }

    /// While closing: the waiters to end once the group was left.
    struct Closing {
        var waiters: [WaitingTask]
    }

    /// A task waiting for a message; `runLoop` when it is the `run` loop (its message is then
    /// tracked as in flight).
    struct WaitingTask {
        var id: UInt64
        var waiter: Waiter
        var runLoop: Bool
    }

    /// Changed only by the event methods (in this type's extensions).
    var state: State = .running(Running())
    /// Polled messages not yet handed out, converted (and destroyed) only when taken. Kept
    /// beside `state` rather than in its payload, like ``membership``: the hot path changes both
    /// on every message, in place (taking an enum's payload out to change it copies it, with a
    /// retain per reference it holds). Empty unless running, in the run loop or stopping.
    var handoff = MessageQueue<Message>()
    /// Assignment, offsets, the handler in flight, uses of the handle: meaningful until released.
    var membership = ConsumerMembership()
    private var nextWaiterID: UInt64 = 0
    /// Polls again when fewer than this many messages are queued under `run`.
    let prefetchLow: Int
    /// Offsets are handed to librdkafka at least every this many records.
    let storeBatchLimit: Int

    init(prefetchLow: Int, storeBatchLimit: Int) {
        self.prefetchLow = prefetchLow
        self.storeBatchLimit = storeBatchLimit
    }

    // MARK: Queries

    var isRunLoopActive: Bool {
        switch state {
        case .runLoop, .stopping: true
        default: false
        }
    }

    /// Whether the handle is open (running, run loop, stopping or closing).
    var isOpen: Bool {
        switch state {
        case .running, .runLoop, .stopping, .closing: true
        case .released, .closed, .modifying: false
        }
    }

    var assignment: Set<TopicPartition> { isOpen ? membership.assignment : [] }

    var isClosed: Bool { if case .closed = state { true } else { false } }

    /// Whether the event thread has work: someone waits for a message, the `run` loop's
    /// prefetch ran low, or it must close; and no other thread is storing offsets (the
    /// event thread stores the pending ones before it polls).
    var eventThreadMayProceed: Bool {
        switch state {
        case .running(let running): !membership.storeInFlight && !running.waiters.isEmpty
        case .runLoop(let running):
            !membership.storeInFlight && (!running.waiters.isEmpty || handoff.count < prefetchLow)
        case .stopping: false
        case .closing: !membership.storeInFlight
        case .released, .closed, .modifying: true
        }
    }

    /// Whether the waiting revoke may finish: no handler in flight on a revoked partition
    /// and no store in flight.
    var revokeMayFinish: Bool {
        guard !membership.storeInFlight else { return false }
        guard let revoking = membership.revoking else { return true }
        return !membership.inFlight.overlaps(revoking)
    }

    /// Whether a blocking caller (commit, the event thread) may take the store token.
    var storeTokenFree: Bool { !membership.storeInFlight }

    /// Whether the event thread may destroy the handle: closing, and nothing uses it.
    var mayRelease: Bool {
        if case .closing = state { membership.isIdle } else { false }
    }

    /// Waiter ids, for finding a cancelled waiter.
    mutating func makeWaiterID() -> UInt64 {
        defer { nextWaiterID &+= 1 }
        return nextWaiterID
    }
}
