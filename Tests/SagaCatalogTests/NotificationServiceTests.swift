import Foundation
import GRDB
import Logging
import NotificationService
import SagaCore
import SagaServicesTestSupport
import SagaTestSupport
import ServiceKit
import Testing

/// A channel that fails its first `failures` deliveries (retriably), then records what it delivers.
actor FlakyChannel: NotificationChannel {
    nonisolated let name = "flaky"
    private var failuresLeft: Int
    private(set) var delivered: [NotificationMessage] = []

    init(failures: Int) { failuresLeft = failures }

    func deliver(_ notification: NotificationMessage) async throws(NotificationDeliveryError) {
        if failuresLeft > 0 {
            failuresLeft -= 1
            throw .retriable("receiver down")
        }
        delivered.append(notification)
    }
}

/// The notification store, the dispatcher and the webhook channel.
@Suite struct NotificationServiceTests {
    let directory: TemporaryDirectory
    let service: NotificationService
    let subject = UUID()

    init() async throws {
        directory = try TemporaryDirectory()
        service = try await NotificationService(path: directory.file("notifications.sqlite"))
    }

    func record(_ kind: String, to recipient: String) async throws -> String {
        let subject = text(self.subject)
        return try await service.store.write("test") { db in
            try NotificationStore.record(subjectID: subject, kind: kind, recipient: recipient, parameters: ["k": "v"], in: db)
        }
    }

    @Test func aNotificationIsRecordedOncePerSubjectKindAndRecipient() async throws {
        let first = try await record("TRANSFER_SENT", to: "alice@bank")
        #expect(try await record("TRANSFER_SENT", to: "alice@bank") == first)
        _ = try await record("TRANSFER_RECEIVED", to: "bob@bank")
        let records = try await service.notifications(about: subject)
        #expect(records.count == 2 && records.allSatisfy { $0.status == "PENDING" && $0.attempts == 0 })
        #expect(records.first { $0.notification.kind == "TRANSFER_SENT" }?.notification.parameters == ["k": "v"])
    }

    @Test func retriableFailuresAreDeliveredAgainLater() async throws {
        _ = try await record("ORDER_CONFIRMED", to: "c1")
        let channel = FlakyChannel(failures: 2)
        let dispatcher = NotificationDispatcher(store: service.store, channel: channel,
            retry: .exponential(maxAttempts: 5, initial: .milliseconds(10), jitter: 0), logger: Broker.logger)
        var now = Date()
        #expect(try await dispatcher.deliverDue(now: now) == 0)
        // Not due again until the backoff has passed.
        #expect(try await dispatcher.deliverDue(now: now) == 0)
        now = now.addingTimeInterval(1)
        #expect(try await dispatcher.deliverDue(now: now) == 0)
        now = now.addingTimeInterval(1)
        #expect(try await dispatcher.deliverDue(now: now) == 1)
        let record = try #require(try await service.notifications(about: subject).first)
        #expect(record.status == "DELIVERED" && record.attempts == 3)
        #expect(await channel.delivered.map(\.kind) == ["ORDER_CONFIRMED"])
    }

    @Test func deliveryGivesUpAfterItsAttempts() async throws {
        _ = try await record("ORDER_CANCELLED", to: "c2")
        let dispatcher = NotificationDispatcher(store: service.store, channel: FlakyChannel(failures: 10),
            retry: .exponential(maxAttempts: 2, initial: .milliseconds(10), jitter: 0), logger: Broker.logger)
        let now = Date()
        _ = try await dispatcher.deliverDue(now: now)
        _ = try await dispatcher.deliverDue(now: now.addingTimeInterval(1))
        let record = try #require(try await service.notifications(about: subject).first)
        #expect(record.status == "FAILED" && record.attempts == 2 && record.lastError?.contains("receiver down") == true)
    }

    @Test func theRunningDispatcherDeliversNewNotificationsWithoutPolling() async throws {
        let channel = FlakyChannel(failures: 0)
        let dispatcher = NotificationDispatcher(store: service.store, channel: channel, logger: Broker.logger)
        let task = Task { await dispatcher.run() }
        _ = try await record("TRANSFER_SENT", to: "alice@bank")
        try await eventually("delivery") { await channel.delivered.count == 1 }
        _ = try await record("TRANSFER_RECEIVED", to: "bob@bank")
        try await eventually("second delivery") { await channel.delivered.count == 2 }
        task.cancel()
        await task.value
    }

    @Test func aWebhookThatCannotBeReachedIsARetriableFailure() async throws {
        let server = try LocalHTTPServer(status: 200)
        let port = server.port
        server.close() // nothing listens there any more
        let channel = WebhookNotificationChannel(url: try #require(URL(string: "http://127.0.0.1:\(port)/hook")), timeout: 2)
        let notification = NotificationMessage(notificationID: "n1", subjectID: "s", kind: "ORDER_CONFIRMED", recipient: "c", parameters: [:])
        await #expect {
            try await channel.deliver(notification)
        } throws: { error in
            if case .retriable = error as? NotificationDeliveryError { return true }
            return false
        }
    }

    @Test(arguments: [(200, "delivered"), (503, "retriable"), (404, "permanent")])
    func webhookAnswersDecideTheOutcome(status: Int, expected: String) async throws {
        let server = try LocalHTTPServer(status: status)
        defer { server.close() }
        let channel = WebhookNotificationChannel(url: try #require(URL(string: "http://127.0.0.1:\(server.port)/hook")), timeout: 5)
        let notification = NotificationMessage(notificationID: "n2", subjectID: "s", kind: "TRANSFER_SENT", recipient: "alice@bank",
            parameters: ["amountMinor": "100"])
        let outcome: String
        do throws(NotificationDeliveryError) {
            try await channel.deliver(notification)
            outcome = "delivered"
        } catch {
            switch error {
            case .retriable: outcome = "retriable"
            case .permanent: outcome = "permanent"
            }
        }
        #expect(outcome == expected)
        let request = try #require(await server.firstRequest())
        #expect(request.hasPrefix("POST /hook HTTP/1.1"))
        #expect(request.contains("\"notificationID\":\"n2\""))
    }
}
