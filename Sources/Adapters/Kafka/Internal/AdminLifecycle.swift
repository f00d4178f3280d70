/// The admin client's lifecycle as one state: open with the number of calls using the handle,
/// closing (no new call; waiting for the running ones), closed (handle destroyed).
///
/// Each event returns what the caller must do, so `KafkaAdmin` keeps no flags of its own and the
/// handle is destroyed exactly once, after its last use — by ``KafkaAdmin/shutdown()``, awaited,
/// or by `deinit` in the background when nobody shut it down.
struct AdminLifecycle: Sendable {
    enum State: Sendable, Equatable {
        case open(activeCalls: Int)
        case closing(activeCalls: Int)
        case closed
    }

    private(set) var state: State = .open(activeCalls: 0)

    /// What a call that wants the handle does.
    enum BeginAction: Equatable { case proceed, refuse }

    /// A call wants to use the handle.
    mutating func beginCall() -> BeginAction {
        guard case .open(let active) = state else { return .refuse }
        state = .open(activeCalls: active + 1)
        return .proceed
    }

    /// A call is done with the handle.
    mutating func endCall() {
        switch state {
        case .open(let active): state = .open(activeCalls: max(0, active - 1))
        case .closing(let active): state = .closing(activeCalls: max(0, active - 1))
        case .closed: break
        }
    }

    /// What a shutdown does.
    enum ShutdownAction: Equatable {
        /// Wait until no call uses the handle, then destroy it (``handleDestroyed()``).
        case destroyWhenIdle
        /// Another shutdown is doing it, or it is done.
        case nothing
    }

    /// Shutdown was asked for.
    mutating func shutdown() -> ShutdownAction {
        guard case .open(let active) = state else { return .nothing }
        state = .closing(activeCalls: active)
        return .destroyWhenIdle
    }

    /// Whether the destroying shutdown may go on (no call uses the handle any more).
    var isIdle: Bool {
        switch state {
        case .open(let active), .closing(let active): active == 0
        case .closed: true
        }
    }

    /// The handle was destroyed.
    mutating func handleDestroyed() { state = .closed }

    /// Whether the handle still needs destroying (nobody shut the client down).
    var needsDestroying: Bool { state != .closed }
}
