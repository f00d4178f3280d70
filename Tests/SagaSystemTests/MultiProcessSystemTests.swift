import AccountService
import Foundation
import InventoryService
import Kafka
import NotificationService
import OrderService
import PaymentService
import SagaContracts
import SagaCore
import SagaSQLite
import SagaSystem
import SagaTestSupport
import ServiceKit
import Testing

/// The system deployed as it is in production: one `saga-server` process per role (orchestrator,
/// order, inventory, payment, account, notification), each with its own database and consumer
/// group, talking only through the broker. Every path of both sagas ends as it should, checked
/// in each service's own database.
@Suite(.timeLimit(.minutes(5)))
struct MultiProcessSystemTests {
    @Test func bothSagasRunAcrossOneProcessPerRole() async throws {
        let deployment = try await SagaServerProcessTests.Deployment(partitions: 1)
        defer { deployment.remove() }
        func path(_ role: Role) -> String { deployment.directory.appendingPathComponent("\(role.rawValue).sqlite").path }

        // The data the services start with, written to their databases before they run.
        let inventory = try await InventoryService(path: path(.inventory))
        let widget = UUID(), rare = UUID()
        try await inventory.addStock(productID: widget, sku: "WIDGET", units: 10)
        try await inventory.addStock(productID: rare, sku: "RARE", units: 1)
        let accounts = try await AccountService(path: path(.account))
        for (vpa, opening) in [("payer@multibank", 100_000), ("payee@multibank", 0), ("closed.shop@multibank", 0)] {
            try await accounts.open(vpa: vpa, holder: vpa)
            if opening > 0 { try await accounts.deposit(vpa: vpa, amountMinor: Int64(opening)) }
        }
        try await accounts.setRejectsCredits(vpa: "closed.shop@multibank", true)
        // Orders placed before the order process starts: its outbox relay publishes their events.
        let orders = try await OrderService(path: path(.order), orderPlacedTopic: deployment.topics.orderPlaced)
        let confirmed = UUID(), outOfStock = UUID(), declined = UUID()
        let customer = UUID()
        _ = try await orders.placeOrder(orderID: confirmed, customerID: customer,
            lines: [OrderLine(productID: widget, sku: "WIDGET", quantity: 2, unitPriceMinor: 1_500)], currency: "INR", paymentToken: "tok_visa")
        _ = try await orders.placeOrder(orderID: outOfStock, customerID: customer,
            lines: [OrderLine(productID: rare, sku: "RARE", quantity: 5, unitPriceMinor: 900)], currency: "INR", paymentToken: "tok_visa")
        _ = try await orders.placeOrder(orderID: declined, customerID: customer,
            lines: [OrderLine(productID: widget, sku: "WIDGET", quantity: 1, unitPriceMinor: 700)], currency: "INR",
            paymentToken: PaymentSimulator.declineToken)
        let sagas = try SQLiteSagaStore(path: path(.orchestrator))

        let roles: [Role] = [.orchestrator, .order, .inventory, .payment, .account, .notification]
        let servers = try roles.map { role in
            try ServerProcess("saga-server --role \(role)", environment: deployment.environment(role: role))
        }
        defer { for server in servers { server.killIfRunning() } }

        let sent = UUID(), refunded = UUID(), invalid = UUID()
        let producer = try KafkaProducer(configuration: deployment.kafka, logger: Broker.logger)
        for (id, payee, amount) in [(sent, "payee@multibank", 2_500), (refunded, "closed.shop@multibank", 4_000),
                                    (invalid, "nobody@nowhere", 100)] {
            _ = try await producer.send(KafkaMessage(try StartEvent.transferRequested(
                transferID: id, payer: "payer@multibank", payee: payee, amountMinor: Int64(amount), source: "multi-process-tests",
                topic: deployment.topics.transferRequested)))
        }
        await producer.shutdown(timeout: .seconds(5))

        let expected: [(UUID, SagaStatus)] = [
            (confirmed, .completed), (outOfStock, .compensated), (declined, .compensated),
            (sent, .completed), (refunded, .compensated), (invalid, .compensated),
        ]
        for (id, status) in expected {
            var state: SagaState?
            try await eventually("saga \(id) to end; outputs:\n\(servers.map(\.text).joined(separator: "\n"))", within: 180) {
                state = try await sagas.load(sagaID: text(id))
                return state.map { $0.status.isTerminal || $0.status == .failed } ?? false
            }
            #expect(state?.status == status, "saga \(id): \(state?.failureReason ?? "")")
        }

        // Orders, stock and payments, each in its own service's database.
        #expect(try await orders.order(confirmed)?.status == "CONFIRMED")
        #expect(try await orders.order(outOfStock)?.cancelCode == "OUT_OF_STOCK")
        #expect(try await orders.order(declined)?.status == "CANCELLED")
        #expect(try await inventory.available(widget) == 8, "2 reserved for the confirmed order, the declined one's released")
        #expect(try await inventory.available(rare) == 1)
        let payments = try await PaymentService(path: path(.payment))
        #expect(try await payments.payment(orderID: confirmed)?.status == "AUTHORIZED")
        #expect(try await payments.payment(orderID: outOfStock) == nil)
        // Money: sent moved, refunded and invalid moved nothing, nothing stuck in clearing.
        #expect(try await accounts.account("payer@multibank")?.balanceMinor == 100_000 - 2_500)
        #expect(try await accounts.account("payee@multibank")?.balanceMinor == 2_500)
        #expect(try await accounts.postings(transferID: refunded).map(\.kind).sorted() == ["DEBIT", "REFUND"])
        #expect(try await accounts.postings(transferID: invalid).isEmpty)
        let totals = try await accounts.totals()
        #expect(totals.balances == 100_000 && totals.clearing == 0)
        // Notifications, recorded by the notification process: payer and payee of a sent transfer,
        // the payer of a refunded one, the customer of each order.
        let notifications = try await NotificationService(path: path(.notification))
        try await eventually("the notifications to be recorded") {
            var counts: [Int] = []
            for subject in [sent, refunded, confirmed, declined] { counts.append(try await notifications.notifications(about: subject).count) }
            return counts == [2, 1, 1, 1]
        }
        #expect(try await notifications.notifications(about: refunded).map(\.notification.kind) == ["TRANSFER_REFUNDED"])

        for (role, server) in zip(roles, servers) {
            #expect(try await server.terminate(within: 40) == 0, "\(role) exit status after SIGTERM; output:\n\(server.text)")
        }
    }
}
