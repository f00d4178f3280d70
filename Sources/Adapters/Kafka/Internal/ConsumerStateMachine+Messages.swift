/// The message flow of ``ConsumerStateMachine``: taking messages, waiting for them,
/// recording processed offsets, the `run` loop, and the rounds the event thread polls.
extension ConsumerStateMachine {
    /// One message taken by ``next(completing:byRunLoop:)``: convert and destroy it, then hand it
    /// out. When `counted`, the take counts as a handle use: end it (``handleUseEnded()``) after
    /// the message was destroyed.
    struct Taken {
        var message: Message
        var counted: Bool
    }

    /// Records `completing` (a message whose handler returned: its offset + 1 becomes
    /// pending) and takes the next queued message, in one step. `byRunLoop`: the caller is
    /// the active `run` loop (its message is tracked as in flight instead of counted as a
    /// handle use: the loop keeps the consumer from closing). Changes only ``handoff`` and
    /// ``membership`` (in place) on this path, never the state's payload.
    mutating func next(completing: (partition: TopicPartition, offset: Int64)?, byRunLoop: Bool) -> TakeAction<Taken> {
        let inRunLoop: Bool
        switch state {
        case .running: inRunLoop = false
        case .runLoop: inRunLoop = byRunLoop
        case .stopping, .closing:
            // Nothing more is handed out; the last handler's offset is recorded.
            guard let completing else { return .end(wake: false) }
            switch complete(completing, byRunLoop: byRunLoop) {
            case .none: return .end(wake: false)
            case .signal: return .end(wake: true)
            case .storeOffsets(let batch): return .storeOffsets(batch)
            case .fail(let error): return .fail(error, wake: false)
            }
        case .released, .closed, .modifying:
            guard let completing else { return .end(wake: false) }
            return .fail(.closed("store offset", topic: completing.partition.topic), wake: false)
        }
        var wake = false
        if let completing {
            switch complete(completing, byRunLoop: inRunLoop) {
            case .none: break
            case .signal: wake = true
            case .storeOffsets(let batch): return .storeOffsets(batch)
            case .fail(let error): return .fail(error, wake: false)
            }
        }
        if let message = take(byRunLoop: inRunLoop) {
            if case .runLoop = state, handoff.count == prefetchLow - 1 { wake = true }
            return .deliver(Taken(message: message, counted: !inRunLoop), wake: wake)
        }
        if let failure = failure { return .fail(failure, wake: wake) }
        return .wait(wake: wake)
    }

    /// What ``processed(_:next:)`` asks of its caller.
    enum ProcessedAction {
        case none
        /// Hand `batch` to librdkafka (the caller holds the store token), then call ``offsetsStored()`` and broadcast.
        case storeOffsets(OffsetBatch)
        case fail(KafkaError)
    }

    /// A message was processed outside a `run` loop (``KafkaConsumer/markProcessed(_:)``):
    /// records `next` (its offset + 1) as pending.
    mutating func processed(_ partition: TopicPartition, next: Int64) -> ProcessedAction {
        guard isOpen else { return .fail(.closed("store offset", topic: partition.topic)) }
        if let error = membership.record(partition, next: next) { return .fail(error) }
        if let batch = membership.takeBatch(ifAtLeast: storeBatchLimit) { return .storeOffsets(batch) }
        return .none
    }

    /// The holder of the store token handed its batch to librdkafka: the token is free again.
    /// The caller broadcasts (the event thread or a commit may wait for the token).
    mutating func offsetsStored() {
        membership.storeInFlight = false
    }

    /// What a task that found nothing queued must do.
    enum WaiterAction {
        /// Resume it with `nil`: closing, stopping or cancelled.
        case end
        /// A message arrived meanwhile: as ``TakeAction/deliver(_:wake:)`` of a ``Taken``.
        case deliver(Message, counted: Bool)
        case fail(KafkaError)
        /// It waits; broadcast (the event thread may now have work).
        case queued
    }

    /// A task waits for the next message (`cancelled`: its task is already cancelled).
    mutating func waiterArrived(_ waiting: WaitingTask, cancelled: Bool) -> WaiterAction {
        guard !cancelled else { return .end }
        let inRunLoop: Bool
        switch state {
        case .running: inRunLoop = false
        case .runLoop: inRunLoop = waiting.runLoop
        default: return .end
        }
        if let message = take(byRunLoop: inRunLoop) { return .deliver(message, counted: !inRunLoop) }
        if let failure = failure { return .fail(failure) }
        modifyRunning { $0.waiters.append(waiting) }
        return .queued
    }

    /// A waiting task was cancelled: the waiter to resume with `nil`, if it still waits.
    mutating func waiterCancelled(id: UInt64) -> Waiter? {
        switch state {
        case .running(var running), .runLoop(var running):
            guard let index = running.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            let stateBefore = state
            state = .modifying
            let waiter = running.waiters.remove(at: index).waiter
            if case .running = stateBefore { state = .running(running) } else { state = .runLoop(running) }
            return waiter
        case .closing(var closing):
            guard let index = closing.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            state = .modifying
            defer { state = .closing(closing) }
            return closing.waiters.remove(at: index).waiter
        default:
            return nil
        }
    }

    /// The event thread polled a round: queues it and gives messages (or the fatal error) to
    /// the waiting tasks, which the event thread converts and resumes (it needs no handle use
    /// count: it is the thread that destroys the handle). Once stopping or closing, the round
    /// stays in `messages` for the event thread to destroy (it would never be handed out).
    mutating func roundPolled(_ messages: inout [Message?]) -> [(waiter: Waiter, result: Result<Message, KafkaError>)] {
        var running: Running
        let runLoop: Bool
        switch state {
        case .running(let current): (running, runLoop) = (current, false)
        case .runLoop(let current): (running, runLoop) = (current, true)
        default: return []
        }
        state = .modifying
        handoff.append(takingStorageOf: &messages)
        var resumes: [(waiter: Waiter, result: Result<Message, KafkaError>)] = []
        while let first = running.waiters.first {
            if let message = take(byRunLoop: runLoop && first.runLoop, counting: false) {
                resumes.append((running.waiters.removeFirst().waiter, .success(message)))
            } else if let failure = running.failure {
                resumes.append((running.waiters.removeFirst().waiter, .failure(failure)))
            } else {
                break
            }
        }
        state = runLoop ? .runLoop(running) : .running(running)
        return resumes
    }

    /// librdkafka raised a fatal error: callers get it once nothing is queued.
    mutating func fatalErrorOccurred(_ error: KafkaError) {
        modifyRunning { $0.failure = error }
    }

    /// A `run` loop starts: `nil`, or why it may not.
    mutating func runStarted() -> KafkaError? {
        switch state {
        case .running(let running):
            state = .runLoop(running)
            return nil
        case .runLoop:
            return KafkaError(code: .state, message: "run is already active on this consumer", operation: "run")
        default:
            return .closed("run")
        }
    }

    /// What the end of a `run` loop asks of its caller.
    enum RunEndAction {
        /// Broadcast (a revoke may wait for the loop's last handler).
        case signal
        /// The loop was asked to stop: the consumer now closes. As ``CloseAction/startClose(dropped:)``.
        case startClose(dropped: [Message])
    }

    /// The `run` loop ended (its last handler's offset is recorded, or the handler threw).
    mutating func runEnded() -> RunEndAction {
        membership.inFlight.removeAll()
        switch state {
        case .runLoop(let running):
            state = .running(running)
            return .signal
        case .stopping(let running):
            return .startClose(dropped: startClosing(running))
        default:
            return .signal
        }
    }

    // MARK: Helpers

    /// The fatal error, if any (read on the rare paths: nothing queued).
    var failure: KafkaError? {
        switch state {
        case .running(let running), .runLoop(let running), .stopping(let running): running.failure
        default: nil
        }
    }

    /// Changes the payload of an open, not closing state (slow paths only: it is copied out
    /// and back).
    mutating func modifyRunning(_ body: (inout Running) -> Void) {
        switch state {
        case .running(var running):
            state = .modifying
            body(&running)
            state = .running(running)
        case .runLoop(var running):
            state = .modifying
            body(&running)
            state = .runLoop(running)
        case .stopping(var running):
            state = .modifying
            body(&running)
            state = .stopping(running)
        default:
            break
        }
    }

    enum Completion { case none, signal, storeOffsets(OffsetBatch), fail(KafkaError) }

    /// Records a finished handler's offset; the run loop's message is no longer in flight.
    mutating func complete(_ completing: (partition: TopicPartition, offset: Int64), byRunLoop: Bool) -> Completion {
        if let error = membership.record(completing.partition, next: completing.offset + 1) { return .fail(error) }
        if byRunLoop { membership.inFlight.removeAll() }
        // A revoke waiting for this handler is woken by the broadcast after the store, if any.
        if let batch = membership.takeBatch(ifAtLeast: storeBatchLimit) { return .storeOffsets(batch) }
        return membership.revoking == nil ? .none : .signal
    }

    /// Takes the next queued message; the run loop's is tracked as in flight, anyone else's
    /// take is counted as a handle use (for converting and destroying it) when `counting`.
    mutating func take(byRunLoop: Bool, counting: Bool = true) -> Message? {
        guard let message = handoff.take() else { return nil }
        if byRunLoop {
            membership.inFlight.replace(with: message.topicPartition)
        } else if counting {
            membership.handleUsers += 1
        }
        return message
    }
}
