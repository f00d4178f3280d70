/// The lifecycle of ``ConsumerStateMachine``: uses of the handle, the event thread's
/// steps, rebalances and the close.
extension ConsumerStateMachine {
    // MARK: Uses of the handle

    /// A librdkafka call outside the lock is about to start (subscribe, commit, lag):
    /// `true` if the handle is open (the use is counted; end it with ``handleUseEnded()``).
    mutating func handleUseStarted() -> Bool {
        switch state {
        case .running, .runLoop, .stopping:
            membership.handleUsers += 1
            return true
        default:
            return false
        }
    }

    /// A counted use of the handle ended: `true` when the caller must broadcast (closing,
    /// and it was the last use: the event thread may be waiting to destroy the handle).
    mutating func handleUseEnded() -> Bool {
        membership.handleUsers -= 1
        guard case .closing = state else { return false }
        return membership.isIdle
    }

    /// The lag report starts: per assigned partition the offset after its last processed
    /// message (`nil` if none since assigned), counted as a handle use (librdkafka is then
    /// asked for positions and watermarks); `nil` once closing.
    mutating func lagRequested() -> [TopicPartition: Int64?]? {
        switch state {
        case .running, .runLoop, .stopping:
            membership.handleUsers += 1
            return membership.processedPositions()
        default:
            return nil
        }
    }

    /// A commit starts (after ``storeTokenFree``, with a counted handle use): every pending
    /// offset, with the store token, to store before committing.
    mutating func commitStoring() -> OffsetBatch? {
        isOpen ? membership.takePending() : nil
    }

    // MARK: Close

    /// What a close request asks of its caller.
    enum CloseAction {
        case none
        /// A `run` loop is active: it stops after its current handler and then closes.
        /// Resume these waiters with `nil` and broadcast.
        case stopRunLoop([Waiter])
        /// The consumer is now closing: broadcast, destroy `dropped` (queued, never handed
        /// out: the group redelivers them), yield the consumer queue (ends a blocking poll),
        /// then end the handle use this counted for you (``handleUseEnded()``).
        case startClose(dropped: [Message])
    }

    /// ``KafkaConsumer/close()`` or the consumer's deinit.
    mutating func closeRequested() -> CloseAction {
        switch state {
        case .runLoop(var running):
            state = .modifying
            let waiters = running.waiters.map(\.waiter)
            running.waiters.removeAll()
            state = .stopping(running)
            return .stopRunLoop(waiters)
        case .running(let running):
            return .startClose(dropped: startClosing(running))
        default:
            return .none
        }
    }

    /// Enters `.closing` from `running`: drops the queued messages (returned, to destroy) and
    /// counts a handle use for whoever destroys them and yields the queue.
    mutating func startClosing(_ running: Running) -> [Message] {
        var dropped: [Message] = []
        dropped.reserveCapacity(handoff.count)
        while let message = handoff.take() { dropped.append(message) }
        handoff.removeAll()
        membership.handleUsers += 1
        state = .closing(Closing(waiters: running.waiters))
        return dropped
    }

    // MARK: The event thread

    /// The event thread's next step (after ``eventThreadMayProceed``).
    enum PollAction {
        /// Store `offsets` if any (the store token is the event thread's: then
        /// ``offsetsStored()``), then poll.
        case poll(OffsetBatch?)
        /// Destroy the messages of the current round, store `offsets` if any (then
        /// ``offsetsStored()``), and leave the group.
        case close(OffsetBatch?)
        /// Already closed (not reached).
        case exit
    }

    mutating func eventThreadProceeds() -> PollAction {
        switch state {
        case .running, .runLoop, .stopping: .poll(membership.takePending())
        case .closing: .close(membership.takePending())
        case .released, .closed, .modifying: .exit
        }
    }

    /// The event thread left the group: the tasks still waiting, to resume with `nil`.
    mutating func groupLeft() -> [Waiter] {
        guard case .closing(var closing) = state else { return [] }
        state = .modifying
        let waiters = closing.waiters.map(\.waiter)
        closing.waiters.removeAll()
        state = .closing(closing)
        return waiters
    }

    /// The event thread destroys the handle now (after ``mayRelease``): no use may start.
    mutating func handleReleased() {
        if case .closing = state { state = .released }
    }

    /// The handle is destroyed; the caller broadcasts (``KafkaConsumer/close()`` waits for it).
    mutating func handleDestroyed() {
        state = .closed
    }

    // MARK: Rebalances (on the event thread, inside a poll or the close)

    /// The librdkafka call that completes a rebalance step.
    enum RebalanceCall { case assign, incrementalAssign, unassign, incrementalUnassign }

    mutating func partitionsAssigned(_ partitions: [TopicPartition], cooperative: Bool) -> RebalanceCall {
        if isOpen { membership.assign(partitions, cooperative: cooperative) }
        return cooperative ? .incrementalAssign : .assign
    }

    /// A revoke starts: drops the queued messages of `revoked` (returned, for the event
    /// thread to destroy: never handed out, so the next owner gets them) and marks the revoke
    /// as waiting, so that the handler in flight on one of them signals when it finishes.
    mutating func revokeStarted(_ revoked: Set<TopicPartition>) -> [Message] {
        guard isOpen else { return [] }
        var dropped: [Message] = []
        handoff.removeAll { message in
            guard revoked.contains(message.topicPartition) else { return false }
            dropped.append(message)
            return true
        }
        membership.revoking = revoked
        return dropped
    }

    /// What finishes a revoke.
    struct RevokeAction {
        /// Store these first (the store token is the event thread's: then ``offsetsStored()``).
        var offsets: OffsetBatch?
        /// Commit the stored offsets before giving the partitions up (not when they were lost).
        var commit: Bool
        var call: RebalanceCall
    }

    /// The revoke finishes (after ``revokeMayFinish``): the partitions leave the assignment
    /// (a later ``processed(_:next:)`` of one of them fails) and the pending offsets, all
    /// recorded while they were assigned, are taken to be stored and committed.
    mutating func revokeFinishing(_ revoked: Set<TopicPartition>, cooperative: Bool, lost: Bool) -> RevokeAction {
        var offsets: OffsetBatch?
        if isOpen {
            membership.revoking = nil
            membership.unassign(revoked, cooperative: cooperative)
            offsets = membership.takePending()
        }
        return RevokeAction(offsets: offsets, commit: !lost, call: cooperative ? .incrementalUnassign : .unassign)
    }

    /// librdkafka reported a rebalance error: everything is unassigned.
    mutating func rebalanceFailed() -> RebalanceCall {
        if isOpen { membership.unassign([], cooperative: false) }
        return .unassign
    }
}
