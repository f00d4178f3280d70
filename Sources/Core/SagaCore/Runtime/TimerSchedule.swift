import Foundation

/// Wakes the timer service only when a commit sets a deadline earlier than the one it sleeps
/// until, so that the many commits that set later deadlines cost nothing.
public actor TimerSchedule {
    private let doorbell = Doorbell()
    private var plannedWake: Date?
    private var sleeping = false

    /// Creates a schedule.
    public init() {}

    /// A commit set a timer due at `deadline`.
    public func scheduled(_ deadline: Date) async {
        if !sleeping || plannedWake.map({ deadline < $0 }) ?? true {
            await doorbell.ring()
        }
    }

    /// Sleeps until `deadline` (or indefinitely when `nil`), or until an earlier deadline is scheduled.
    public func sleep(until deadline: Date?) async {
        plannedWake = deadline
        sleeping = true
        await doorbell.wait(until: deadline)
        sleeping = false
    }
}
