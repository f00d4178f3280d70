import SagaContracts
import AccountService
import Foundation
import InventoryService
import Kafka
import SagaSystem
import SagaTestSupport
import ServiceKit
import Testing

@Suite struct SystemPartsTests {
    @Test func demoDataSeedsOnceAndASecondSeedChangesNothing() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("saga-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let accounts = try await AccountService(path: directory.appendingPathComponent("account.sqlite").path)
        let inventory = try await InventoryService(path: directory.appendingPathComponent("inventory.sqlite").path)
        #expect(try await DemoData.seed(accounts) == DemoData.accounts.count)
        #expect(try await DemoData.seed(inventory) == DemoData.products.count)
        #expect(try await DemoData.seed(accounts) == 0)
        #expect(try await DemoData.seed(inventory) == 0)
        for account in DemoData.accounts {
            #expect(try await accounts.account(account.vpa)?.balanceMinor == account.openingBalanceMinor)
        }
        for product in DemoData.products {
            #expect(try await inventory.available(product.productID) == product.stock)
        }
        let totals = try await accounts.totals()
        #expect(totals.balances == DemoData.totalOpeningBalanceMinor)
        #expect(totals.netDeposits == DemoData.totalOpeningBalanceMinor)
    }

    @Test func topicProvisionerCreatesEveryTopicAndItsDLQOnceAndKeepsExistingOnes() async throws {
        let kafka = try Broker.configuration()
        let topics = SagaTopics(prefix: "prov\(UUID().uuidString.prefix(8).lowercased()).")
        let provisioner = TopicProvisioner(kafka: kafka, topics: topics, partitions: 2, logger: Broker.logger)
        #expect(provisioner.topicNames.count == 2 * topics.provisioned.count)
        #expect(provisioner.topicNames.contains(topics.transferRequested + ".dlq"))
        let created = try await provisioner.createTopics()
        #expect(Set(created) == Set(provisioner.topicNames))
        #expect(try await provisioner.createTopics().isEmpty)
        let listed = try await KafkaAdmin(configuration: kafka, logger: Broker.logger).listTopics()
            .filter { $0.name.hasPrefix(topics.prefix) }
        #expect(Set(listed.map(\.name)) == Set(provisioner.topicNames))
        #expect(listed.allSatisfy { $0.partitions.count == 2 })
    }
}
