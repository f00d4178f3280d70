/// A FIFO over an array with a read index: appends and takes are O(1) amortized, and the
/// storage is reused once drained. Not synchronized: its owner guards it with a lock.
struct MessageQueue<Element> {
    private var items: [Element] = []
    private var head = 0

    var isEmpty: Bool { head >= items.count }
    var count: Int { items.count - head }

    mutating func append(contentsOf batch: [Element]) {
        items.append(contentsOf: batch)
    }

    /// Appends `batch`, taking over its storage when the queue is empty (no copy); `batch`
    /// is left with the queue's old (empty) storage to refill.
    mutating func append(takingStorageOf batch: inout [Element]) {
        if isEmpty {
            items.removeAll(keepingCapacity: true)
            head = 0
            swap(&items, &batch)
        } else {
            items.append(contentsOf: batch)
            batch.removeAll(keepingCapacity: true)
        }
    }

    mutating func take() -> Element? {
        guard head < items.count else { return nil }
        defer {
            head += 1
            if head == items.count {
                items.removeAll(keepingCapacity: true)
                head = 0
            }
        }
        return items[head]
    }

    /// Removes the queued (not yet taken) elements matching `predicate`.
    mutating func removeAll(where predicate: (Element) -> Bool) {
        items.removeFirst(head)
        head = 0
        items.removeAll(where: predicate)
    }

    mutating func removeAll() {
        items.removeAll()
        head = 0
    }
}
