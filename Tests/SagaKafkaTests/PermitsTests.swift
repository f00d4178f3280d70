@testable import SagaKafka
import SagaTestSupport
import Testing

@Suite struct PermitsTests {
    @Test func waitersGetReleasedPermitsInOrderAndCancelWakesThemWithFalse() async throws {
        let permits = Permits(1)
        #expect(await permits.acquire())
        async let second = permits.acquire()
        async let third = permits.acquire()
        try await eventually("both wait") { permits.waitingCount == 2 }
        permits.release()
        permits.cancel()
        let results = await [second, third].sorted { $0 && !$1 }
        #expect(results == [true, false])
        #expect(await permits.acquire() == false)
    }

    @Test func releasedPermitsAreCounted() async {
        let permits = Permits(2)
        #expect(await permits.acquire())
        #expect(await permits.acquire())
        permits.release()
        permits.release()
        #expect(await permits.acquire())
        #expect(await permits.acquire())
    }
}
