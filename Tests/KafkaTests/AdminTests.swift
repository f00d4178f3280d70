import Kafka
import Synchronization
import Testing

@Suite("Admin against the real broker", .timeLimit(.minutes(3)))
struct AdminTests {
    @Test func createsAndListsTopicsAndAlreadyExistsIsSuccess() async throws {
        let admin = try KafkaAdmin(configuration: TestBroker.configuration(), logger: TestBroker.logger)
        let name = TestBroker.unique("admin")
        let other = TestBroker.unique("admin-other")
        try await admin.createTopics([
            KafkaTopicSpecification(name: name, partitions: 3, configs: ["retention.ms": "3600000"]),
            KafkaTopicSpecification(name: other, partitions: 1),
        ])
        try await admin.createTopics([KafkaTopicSpecification(name: name, partitions: 3)])  // already exists
        let topics = try await admin.listTopics()
        #expect(topics.first { $0.name == name }?.partitions == [0, 1, 2])
        #expect(topics.first { $0.name == other }?.partitions == [0])
        #expect(!topics.contains { $0.name.hasPrefix("__") })
    }

    @Test func invalidTopicIsRefusedWithItsName() async throws {
        let admin = try KafkaAdmin(configuration: TestBroker.configuration(), logger: TestBroker.logger)
        let name = TestBroker.unique("no-partitions")
        let error = await #expect(throws: KafkaError.self) {
            try await admin.createTopics([KafkaTopicSpecification(name: name, partitions: -7)])
        }
        #expect(error?.topic == name)
        #expect(error?.message.contains("num_partitions") == true, "\(String(describing: error))")
    }

    @Test func shutdownReleasesTheClientAndRefusesLaterCalls() async throws {
        let admin = try KafkaAdmin(configuration: TestBroker.configuration(), logger: TestBroker.logger)
        let name = TestBroker.unique("admin-shutdown")
        try await admin.createTopics([KafkaTopicSpecification(name: name, partitions: 2)])
        #expect(try await admin.watermarks(of: name).map(\.partition.partition) == [0, 1])
        await admin.shutdown()
        await admin.shutdown()  // a second shutdown does nothing
        let error = await #expect(throws: KafkaError.self) { try await admin.listTopics() }
        #expect(error?.code == .destroyed, "\(String(describing: error))")
    }

    @Test func withAdminShutsTheClientDownAfterItsBodyReturnedOrThrew() async throws {
        let name = TestBroker.unique("admin-scoped")
        let (used, partitions) = try await KafkaAdmin.withAdmin(configuration: TestBroker.configuration(), logger: TestBroker.logger) { admin in
            try await admin.createTopics([KafkaTopicSpecification(name: name, partitions: 2)])
            return (admin, try await admin.watermarks(of: name).count)
        }
        #expect(partitions == 2)
        let afterReturn = await #expect(throws: KafkaError.self) { try await used.listTopics() }
        #expect(afterReturn?.code == .destroyed, "released once the body returned")

        let kept = Mutex<KafkaAdmin?>(nil)
        let refused = await #expect(throws: KafkaError.self) {
            try await KafkaAdmin.withAdmin(configuration: TestBroker.configuration(), logger: TestBroker.logger) { admin in
                kept.withLock { $0 = admin }
                try await admin.createTopics([KafkaTopicSpecification(name: TestBroker.unique("admin-scoped"), partitions: -7)])
            }
        }
        #expect(refused?.code != .destroyed, "the body's own error is rethrown: \(String(describing: refused))")
        let afterThrow = await #expect(throws: KafkaError.self) { try await kept.withLock { $0 }?.listTopics() }
        #expect(afterThrow?.code == .destroyed, "released once the body threw")
    }
}
