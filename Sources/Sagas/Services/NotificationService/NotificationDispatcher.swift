import Foundation
import GRDB
import Logging
import SagaCore
import ServiceKit

/// Delivers recorded notifications through a ``NotificationChannel``, apart from the saga:
/// the command's transaction records the notification (and replies), and the dispatcher
/// delivers it afterwards, so a slow or failing receiver never holds a database transaction or
/// a saga. A retriable failure is tried again under ``retry`` (with backoff); when the
/// attempts run out, or on a permanent failure, the notification is marked `FAILED`.
///
/// On SQLite ``run()`` wakes on every commit to the notifications table (a GRDB region
/// observation) and at the next retry's time. On PostgreSQL, where other replicas record
/// notifications too, it also looks every second. With several replicas a notification may be
/// delivered more than once (delivery is at least once, as with a crash after delivering).
public struct NotificationDispatcher: Sendable {
    /// The notification service's database.
    public let store: ServiceStore
    /// Where notifications go.
    public let channel: any NotificationChannel
    /// Attempts and backoff of one notification's delivery.
    public let retry: RetryPolicy
    private let logger: Logger

    /// Creates a dispatcher.
    public init(store: ServiceStore, channel: any NotificationChannel,
        retry: RetryPolicy = .exponential(maxAttempts: 8, initial: .milliseconds(200), max: .seconds(60)),
        logger: Logger = Logger(label: "notification.dispatcher"))
    {
        self.store = store
        self.channel = channel
        self.retry = retry
        self.logger = logger
    }

    /// Delivers the notifications due at `now`; returns how many were delivered.
    @discardableResult
    public func deliverDue(now: Date = Date(), batch: Int = 100) async throws -> Int {
        let due = try await store.read("due notifications") { db in try NotificationStore.due(now: now, limit: batch, in: db) }
        var delivered = 0
        for record in due {
            let attempts = record.attempts + 1
            var status = "DELIVERED"
            var failure: String?
            var next = now
            do {
                try await channel.deliver(record.notification)
                delivered += 1
            } catch {
                failure = error.description
                if case .retriable = error, retry.allowsRetry(after: attempts) {
                    status = "PENDING"
                    let delay = retry.delay(afterAttempt: attempts, random: Double.random(in: 0..<1))
                    next = now.addingTimeInterval(delay.timeInterval)
                } else {
                    status = "FAILED"
                }
                logger.warning("notification not delivered", metadata: [
                    "id": "\(record.notification.notificationID)", "attempt": "\(attempts)", "status": "\(status)",
                    "error": "\(error)",
                ])
            }
            let channelName = channel.name
            try await store.write("finish notification") { [status, failure, next] db in
                try NotificationStore.finish(record.notification.notificationID, status: status, error: failure, channel: channelName,
                    nextAttempt: next, in: db)
            }
        }
        return delivered
    }

    /// Delivers until the task is cancelled: after every commit to the notifications table and
    /// when the earliest retry is due. A store error is logged and retried after a second.
    public func run() async {
        let doorbell = Doorbell()
        var cancellable: AnyDatabaseCancellable?
        if case .sqlite(let sqlite) = store.backend {
            let observation = DatabaseRegionObservation(tracking: Table("notifications"))
            cancellable = observation.start(in: sqlite.pool, onError: { [logger] error in
                logger.error("notification observation failed", metadata: ["error": "\(error)"])
            }, onChange: { _ in
                Task { await doorbell.ring() }
            })
        }
        defer { cancellable?.cancel() }
        while !Task.isCancelled {
            var wakeAt: Date?
            do {
                try await deliverDue()
                wakeAt = try await store.read("next notification") { db in try NotificationStore.nextDue(in: db) }
                if store.postgres != nil { wakeAt = min(wakeAt ?? .distantFuture, Date().addingTimeInterval(1)) }
            } catch {
                if Task.isCancelled { return } // shutting down: the interrupted round is redone on the next start
                logger.error("notification delivery round failed", metadata: ["error": "\(error)"])
                wakeAt = Date().addingTimeInterval(1)
            }
            await doorbell.wait(until: wakeAt)
        }
    }
}
