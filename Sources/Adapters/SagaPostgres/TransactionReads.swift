import Synchronization

/// What a transaction read (or wrote) of some table, by key: a key maps to its value, or to `nil`
/// when the table has none; a key not in the map was not read. The PostgreSQL transactions keep
/// their sagas and their participants' remembered replies so, to answer a batch's reads from one
/// statement. One thread uses a transaction at a time; the lock makes it `Sendable`.
final class TransactionReads<Value: Sendable>: Sendable {
    private let values = Mutex<[String: Value?]>([:])

    /// The keys read.
    var keys: Set<String> { values.withLock { Set($0.keys) } }

    /// `.some(nil)`: read, and there is none; `nil`: not read.
    func get(_ key: String) -> Value?? {
        values.withLock { $0[key] }
    }

    func set(_ key: String, _ value: Value?) {
        values.withLock { $0[key] = .some(value) }
    }

    /// Sets `value` where the key was read and found absent; a key not read stays unread.
    func fillIfAbsent(_ key: String, _ value: Value) {
        values.withLock { values in
            if case .some(.none) = values[key] { values[key] = .some(value) }
        }
    }
}
