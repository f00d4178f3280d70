@testable import Kafka
import Testing

/// The admin client's lifecycle: calls, shutdown, and the one destroy.
@Suite struct AdminLifecycleTests {
    @Test func theHandleIsDestroyedOnceAfterItsLastCall() {
        var lifecycle = AdminLifecycle()
        #expect(lifecycle.beginCall() == .proceed)
        #expect(lifecycle.shutdown() == .destroyWhenIdle)
        #expect(!lifecycle.isIdle, "a call still uses the handle")
        #expect(lifecycle.beginCall() == .refuse, "no call starts once shutdown began")
        #expect(lifecycle.shutdown() == .nothing)
        lifecycle.endCall()
        #expect(lifecycle.isIdle)
        lifecycle.handleDestroyed()
        #expect(!lifecycle.needsDestroying)
        #expect(lifecycle.beginCall() == .refuse)
    }

    @Test func anUnusedClientStillNeedsDestroying() {
        var lifecycle = AdminLifecycle()
        #expect(lifecycle.needsDestroying && lifecycle.isIdle)
        #expect(lifecycle.beginCall() == .proceed)
        lifecycle.endCall()
        #expect(lifecycle.needsDestroying, "deinit destroys a client nobody shut down")
    }
}
