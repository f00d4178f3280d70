/// A FIFO over an array with a read index: appends and takes are O(1) amortized, and the
/// storage is reused once drained. `take` moves the element out (no extra reference
/// counting per element, which matters when two threads touch the same objects).
/// Not synchronized: its owner guards it with a lock.
struct MessageQueue<Element> {
    private var items: [Element?] = []
    private var head = 0

    var isEmpty: Bool { head >= items.count }
    var count: Int { items.count - head }

    mutating func append(contentsOf batch: [Element]) {
        items.reserveCapacity(items.count + batch.count)
        for element in batch { items.append(element) }
    }

    /// Appends `batch`, taking over its storage when the queue is empty (no copy); `batch`
    /// is left with the queue's old (empty) storage to refill.
    mutating func append(takingStorageOf batch: inout [Element?]) {
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
        var element: Element? = nil
        swap(&element, &items[head])
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        }
        return element
    }

    /// Removes the queued (not yet taken) elements matching `predicate`.
    mutating func removeAll(where predicate: (Element) -> Bool) {
        items.removeFirst(head)
        head = 0
        items.removeAll { $0.map(predicate) ?? true }
    }

    mutating func removeAll() {
        items.removeAll()
        head = 0
    }
}
