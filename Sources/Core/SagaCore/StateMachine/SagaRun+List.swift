import Foundation

/// Steps over a list (``SagaStep/items``): one request per item, each with its own attempts and
/// timer, in ``SagaState/listProgress``. The saga's single timer (``SagaState/deadline``) is the
/// earliest of the items' timers, so the store needs nothing else to wake the saga.
extension SagaRun {
    /// The message id of an item's last request.
    func requestID(_ item: ListItemProgress) -> String? {
        item.sequence.map { SagaState.requestID(sagaID: state.sagaID, sequence: $0) }
    }

    /// Starts the current step over a list in the current phase: its items' progress (kept from
    /// a failed forward run when compensating it, else fresh), then as many requests as the limit allows.
    mutating func beginList() {
        guard let items = step.items else { return }
        let sends = state.phase == .forward ? step.sendsCommand : step.compensation?.sendsCommand ?? false
        if !sends {
            // Nothing in this direction (compensation-only going forward, nothing to undo): done at once,
            // with one history row for the step, as a single step has.
            if case .nothingToSend(let sequence) = request(attempt: 1, item: nil, uncertain: false) {
                transition.history.append(.finished(sequence: sequence, outcome: .succeeded, error: nil, at: env.now))
            }
            state.listProgress = nil
            return stepSucceeded(.succeeded)
        }
        if state.listProgress == nil { state.listProgress = ListProgress(count: items.count(data)) }
        fillSlots()
        finishListIfDone()
    }

    /// Sends waiting items while fewer than the limit are outstanding (compensating: last item first).
    mutating func fillSlots() {
        let limit = step.items?.limit ?? Int.max
        while state.status != .failed, let progress = state.listProgress, progress.outstanding < limit {
            let waiting = state.phase == .forward
                ? progress.items.firstIndex { $0.status == .waiting }
                : progress.items.lastIndex { $0.status == .waiting }
            guard let index = waiting else { break }
            sendItem(index, attempt: 1)
        }
        armTimer()
    }

    /// Sends the request of item `index` (attempt `attempt`).
    mutating func sendItem(_ index: Int, attempt: Int) {
        guard var item = state.listProgress?.items[index] else { return }
        state.attempt = max(state.attempt, 1)
        switch request(attempt: attempt, item: index, uncertain: state.phase == .compensation && item.uncertain) {
        case .sent(let sequence, let timeout):
            item = ListItemProgress(
                status: .awaiting, attempt: attempt, sequence: sequence,
                deadline: env.now.addingTimeInterval(timeout.timeInterval), uncertain: item.uncertain
            )
        case .nothingToSend(let sequence):
            transition.history.append(.finished(sequence: sequence, outcome: .succeeded, error: nil, at: env.now))
            item = ListItemProgress(status: .done, attempt: attempt, sequence: sequence, uncertain: item.uncertain)
        case .parked:
            item.status = .failed
            item.deadline = nil
        }
        state.listProgress?.items[index] = item
    }

    /// The saga's timer is the earliest item timer (none while parked).
    mutating func armTimer() {
        guard state.status != .failed, let next = state.listProgress?.nextDeadline else {
            state.deadline = nil
            state.deadlineKind = nil
            return
        }
        state.pendingRequestID = nil
        state.deadline = next.date
        state.deadlineKind = next.kind
    }

    /// When every item is done, the step is: the saga moves on.
    mutating func finishListIfDone() {
        guard state.status != .failed, state.listProgress?.isFinished == true else { return }
        state.listProgress = nil
        stepSucceeded(.succeeded)
    }

    // MARK: Events

    /// A reply to item `index`, interpreted.
    mutating func handleItem(_ reply: StepReply, item index: Int, outcome: ReplyInterpretation) {
        switch outcome {
        case .succeeded: itemSucceeded(index, outcome: .succeeded, error: nil)
        case .businessFailure(let reason):
            itemFailed(index, outcome: .businessFailure, reason: reason, retriable: state.phase == .compensation)
        case .retriableFailure(let reason): itemFailed(index, outcome: .retriableFailure, reason: reason, retriable: true)
        }
    }

    /// Fires every item timer that is due, in item order, until one of them ends the step.
    mutating func handleItemDeadlines() {
        guard let progress = state.listProgress else { return }
        let (phase, stepIndex) = (state.phase, state.stepIndex)
        let timeout = phase == .forward ? step.timeout : (step.compensation?.timeout ?? step.timeout)
        for (index, item) in progress.items.enumerated() {
            // Stop once an item's failure moved the saga (compensating, parked, next step).
            guard state.phase == phase, state.stepIndex == stepIndex, state.status != .failed,
                state.listProgress?.items[index] == item
            else { break }
            guard let deadline = item.deadline, deadline <= env.now else { continue }
            switch item.status {
            case .awaiting: itemFailed(index, outcome: .timedOut, reason: "no reply within \(timeout)", retriable: true)
            case .backingOff: sendItem(index, attempt: item.attempt + 1)
            case .waiting, .done, .failed, .skipped: continue
            }
        }
        if state.phase == phase, state.stepIndex == stepIndex, state.listProgress != nil { armTimer() }
    }

    /// An operator's retry of a saga parked on a step over a list: every unfinished item is sent
    /// again with a fresh retry budget (items that succeeded stay done).
    mutating func retryItems() {
        guard var progress = state.listProgress else { return }
        for index in progress.items.indices where [.failed, .awaiting, .backingOff].contains(progress.items[index].status) {
            progress.items[index] = ListItemProgress(status: .waiting, uncertain: progress.items[index].uncertain)
        }
        state.listProgress = progress
        state.stepStartedAt = env.now
        fillSlots()
        finishListIfDone()
    }

    /// An operator's resolve of a saga parked on a step over a list: every unfinished item is
    /// declared done by hand, and the saga goes on.
    mutating func resolveItems(note: String) {
        guard var progress = state.listProgress else { return }
        for index in progress.items.indices where ![.done, .skipped].contains(progress.items[index].status) {
            if let sequence = progress.items[index].sequence, progress.items[index].status != .failed {
                transition.history.append(.finished(sequence: sequence, outcome: .manuallyResolved, error: note, at: env.now))
            }
            progress.items[index].status = .done
            progress.items[index].deadline = nil
        }
        state.listProgress = progress
        finishListIfDone()
    }

    // MARK: Outcomes

    mutating func itemSucceeded(_ index: Int, outcome: StepOutcome, error: String?) {
        guard let sequence = state.listProgress?.items[index].sequence else { return }
        transition.history.append(.finished(sequence: sequence, outcome: outcome, error: error, at: env.now))
        state.listProgress?.items[index].status = .done
        state.listProgress?.items[index].deadline = nil
        fillSlots()
        finishListIfDone()
    }

    /// Item `index`'s request failed: retry it under the policy, or give up on the step.
    mutating func itemFailed(_ index: Int, outcome: StepOutcome, reason: String, retriable: Bool) {
        guard var item = state.listProgress?.items[index], let sequence = item.sequence else { return }
        transition.history.append(.finished(sequence: sequence, outcome: outcome, error: reason, at: env.now))
        lastFailureCode = Self.failureCode(outcome)
        let name = step.name
        let itemReason = "item \(index): \(reason)"
        let policy = state.phase == .forward ? step.retry : (step.compensation?.retry ?? step.retry)
        if retriable, policy.allowsRetry(after: item.attempt) {
            let retryAt = env.now.addingTimeInterval(policy.delay(afterAttempt: item.attempt, random: env.random).timeInterval)
            item.status = .backingOff
            item.deadline = retryAt
            state.listProgress?.items[index] = item
            emit(.stepFailed, step: name, reason: itemReason, attempt: item.attempt, outcome: outcome, retryAt: retryAt)
            return armTimer()
        }
        emit(.stepFailed, step: name, reason: itemReason, attempt: item.attempt, outcome: outcome)
        let uncertain = outcome == .timedOut || outcome == .retriableFailure
        item.status = .failed
        item.deadline = nil
        item.uncertain = uncertain
        state.listProgress?.items[index] = item
        let why = retriable ? "\(reason) (after \(item.attempt) attempt\(item.attempt == 1 ? "" : "s"))" : reason
        switch (state.phase, step.kind) {
        case (.forward, .compensatable):
            undoList(reason: "item \(index) of step '\(name)' failed: \(why)"
                + (uncertain ? "; its outcome is uncertain, so it is compensated too" : ""))
        case (.forward, _):
            park("item \(index) of step '\(name)' after the pivot failed: \(why)")
        case (.compensation, _):
            park("compensation of item \(index) of step '\(name)' failed: \(why)")
        }
    }

    /// A compensatable step over a list failed: its items that succeeded or whose outcome is
    /// unknown are undone first, then the earlier steps. Items never sent and items refused need nothing.
    mutating func undoList(reason: String) {
        guard let progress = state.listProgress else { return }
        let undo = progress.items.map { item -> ListItemProgress in
            switch item.status {
            case .done: ListItemProgress(status: .waiting)
            case .awaiting, .backingOff: ListItemProgress(status: .waiting, uncertain: true)
            case .failed where item.uncertain: ListItemProgress(status: .waiting, uncertain: true)
            case .waiting, .failed, .skipped: ListItemProgress(status: .skipped)
            }
        }
        if undo.allSatisfy({ $0.status == .skipped }) {
            state.listProgress = nil
        } else {
            state.listProgress = ListProgress(items: undo)
            state.completedSteps.append(state.stepIndex)
        }
        beginCompensation(reason: reason)
    }
}
