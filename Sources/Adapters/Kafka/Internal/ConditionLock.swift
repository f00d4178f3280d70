#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a pthread mutex, with a condition variable for threads that must
/// block until the value changes (the clients' dedicated librdkafka threads).
///
/// `@unchecked Sendable`: every access to `value` happens with `mutex` held
/// (`withLock`/`wait`), which is what makes sharing it across threads safe.
final class ConditionLock<Value>: @unchecked Sendable {
    private var value: Value
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init(_ value: Value) {
        self.value = value
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` with the lock held.
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }

    /// Blocks the calling thread until `ready` holds, then runs `body` with the lock held.
    func wait<R>(until ready: (Value) -> Bool, then body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !ready(value) { pthread_cond_wait(condition, mutex) }
        return try body(&value)
    }

    /// Wakes every thread blocked in `wait`, for a change already made under `withLock`
    /// (a waiter checks its condition under the lock, so it either saw the change or is
    /// already waiting and gets woken): lets callers signal only when a waiter needs it.
    func broadcast() {
        pthread_cond_broadcast(condition)
    }

    /// Changes the value and wakes every thread blocked in `wait`.
    func withLockThenSignal<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer {
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
        }
        return try body(&value)
    }
}
