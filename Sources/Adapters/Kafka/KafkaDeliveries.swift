import Synchronization

/// The outcomes of messages produced with ``KafkaProducer/enqueue(_:)`` (see
/// ``KafkaProducer/deliveries``). Outcomes are buffered until read; the sequence finishes
/// after the producer shut down and every enqueued message has its outcome.
public struct KafkaDeliveries: AsyncSequence, Sendable {
    public typealias Element = KafkaDelivery
    let buffer: DeliveryBuffer

    /// Makes an iterator. Iterate from one task; concurrent iterators share the outcomes.
    public func makeAsyncIterator() -> Iterator { Iterator(buffer: buffer) }

    /// The iterator of ``KafkaDeliveries``.
    public struct Iterator: AsyncIteratorProtocol {
        let buffer: DeliveryBuffer
        /// The next outcome; `nil` once the producer shut down and all were read, or the task was cancelled.
        public mutating func next() async -> KafkaDelivery? { await buffer.next() }
    }
}

/// A FIFO of delivery outcomes filled by the producer's event thread a whole delivery-report
/// event at a time (one lock and at most one wake-up per batch, not per message).
final class DeliveryBuffer: Sendable {
    private struct State {
        var items = MessageQueue<KafkaDelivery>()
        var finished = false
        var waiters: [(id: UInt64, continuation: CheckedContinuation<KafkaDelivery?, Never>)] = []
        var nextWaiterID: UInt64 = 0
    }

    private let state = Mutex(State())

    func append(_ batch: [KafkaDelivery]) {
        guard !batch.isEmpty else { return }
        let resumes = state.withLock { state in
            state.items.append(contentsOf: batch)
            var resumes: [(CheckedContinuation<KafkaDelivery?, Never>, KafkaDelivery)] = []
            while !state.waiters.isEmpty, let item = state.items.take() {
                resumes.append((state.waiters.removeFirst().continuation, item))
            }
            return resumes
        }
        for (continuation, item) in resumes { continuation.resume(returning: item) }
    }

    func finish() {
        let waiters = state.withLock { state in
            state.finished = true
            defer { state.waiters.removeAll() }
            return state.waiters.map(\.continuation)
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }

    func next() async -> KafkaDelivery? {
        enum Fast { case item(KafkaDelivery), end, wait(UInt64) }
        let fast = state.withLock { state -> Fast in
            if let item = state.items.take() { return .item(item) }
            if state.finished { return .end }
            defer { state.nextWaiterID += 1 }
            return .wait(state.nextWaiterID)
        }
        switch fast {
        case .item(let item): return item
        case .end: return nil
        case .wait(let id):
            return await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<KafkaDelivery?, Never>) in
                    let immediate = state.withLock { state -> KafkaDelivery?? in
                        if let item = state.items.take() { return .some(item) }
                        if state.finished || Task.isCancelled { return .some(nil) }
                        state.waiters.append((id, continuation))
                        return .none
                    }
                    if let immediate { continuation.resume(returning: immediate) }
                }
            } onCancel: {
                let waiter = state.withLock { state -> CheckedContinuation<KafkaDelivery?, Never>? in
                    guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                    return state.waiters.remove(at: index).continuation
                }
                waiter?.resume(returning: nil)
            }
        }
    }
}
