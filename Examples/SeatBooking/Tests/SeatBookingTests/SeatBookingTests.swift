import Foundation
import Kafka
import SagaCore
import SagaKafka
import SagaSQLite
import SeatBooking
import Testing

/// The booking saga and the venue, run the way a user's own service runs them: the orchestrator
/// and the participant as `Service`s on the real broker (KAFKA_BOOTSTRAP_SERVERS), each on its
/// own SQLite file. A booking within the card limit completes and keeps its seat; one above it
/// is compensated and its seat released.
@Suite(.timeLimit(.minutes(3))) struct SeatBookingTests {
    @Test func aBookingCompletesAndADeclinedOneReleasesItsSeat() async throws {
        // KAFKA_BOOTSTRAP_SERVERS and KAFKA_FETCH_WAIT_MAX_MS, as the repository's scripts/test exports them.
        var kafka = try KafkaConfiguration.fromEnvironment(ProcessInfo.processInfo.environment, clientID: "seat-booking")
        kafka.linger = .milliseconds(1)
        let prefix = "ex\(UUID().uuidString.prefix(8).lowercased())."
        let topics = BookingSaga.Topics(prefix: prefix)
        try await KafkaAdmin(configuration: kafka).createTopics(
            [topics.requested, topics.venue, topics.replies, topics.events].flatMap { [$0, DeadLetterRecord.topic(for: $0)] }
                .map { KafkaTopicSpecification(name: $0, partitions: 1) })

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(prefix + "db")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let orchestratorStore = try SQLiteSagaStore(path: directory.appendingPathComponent("orchestrator.sqlite").path)
        let venueStore = try SQLiteSagaStore(path: directory.appendingPathComponent("venue.sqlite").path)
        try await venueStore.pool.write { db in try Venue.migrate(db) }

        let orchestrator = SagaOrchestrator(
            registry: try SagaRegistry([BookingSaga.registration(topics: topics)]), store: orchestratorStore,
            lifecycleTopic: topics.events, lifecycleEncoder: JSONLifecycleEncoder()
        )
        let orchestratorService = SagaOrchestratorService(orchestrator: orchestrator, kafka: kafka, groupID: prefix + "orchestrator")
        let venueService = SagaParticipantService(
            participant: SagaParticipant(store: venueStore, consumerName: "venue", handler: Venue.handle),
            kafka: kafka, topics: [topics.venue], groupID: prefix + "venue"
        )
        let services = [Task { try await orchestratorService.run() }, Task { try await venueService.run() }]

        let producer = try KafkaProducer(configuration: kafka)
        let within = Booking(bookingID: UUID().uuidString, seat: "12A", priceMinor: 4_500)
        let above = Booking(bookingID: UUID().uuidString, seat: "12B", priceMinor: 45_000)
        for booking in [within, above] {
            _ = try await producer.send(KafkaMessage(
                topic: topics.requested, key: Array(booking.bookingID.utf8), value: try booking.encodePayload(),
                headers: [KafkaHeader(name: SagaHeaders.messageID, value: UUID().uuidString)]
            ))
        }

        let completed = try await waitForEnd(of: within.bookingID, in: orchestratorStore)
        let compensated = try await waitForEnd(of: above.bookingID, in: orchestratorStore)
        for task in services { task.cancel() }
        for task in services { _ = await task.result }
        await producer.shutdown()

        #expect(completed.status == .completed)
        #expect(compensated.status == .compensated)
        #expect(try await venueStore.pool.read { db in try Venue.isHeld(within.bookingID, in: db) })
        #expect(try await !venueStore.pool.read { db in try Venue.isHeld(above.bookingID, in: db) })
        #expect(try Booking.decodePayload(completed.data).holdID == "hold-" + within.bookingID)
    }

    /// Reads the saga until it has ended; fails naming where it stood after 90 s.
    private func waitForEnd(of sagaID: String, in store: SQLiteSagaStore) async throws -> SagaState {
        let deadline = ContinuousClock.now + .seconds(90)
        var last: SagaState?
        while ContinuousClock.now < deadline {
            last = try await store.load(sagaID: sagaID)
            if let last, last.status.isTerminal { return last }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("saga \(sagaID) did not end within 90 s; last status: \(String(describing: last?.status))")
        throw CancellationError()
    }
}
