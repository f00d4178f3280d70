import Foundation
import Kafka
import SagaContracts
import SagaCore
import SagaPostgres
import SagaSystem
import SagaTestSupport
import Testing

/// The work and the checks of the PostgreSQL multi-process tests: transfers and orders started
/// over the HTTP API, and what the databases and topics say about them afterwards.
enum FailoverWorkload {
    /// Starts each of `transfers` with `POST /transfers` (at most 16 requests at once) and returns
    /// them with the saga id the API answered as their id.
    static func postTransfers(_ transfers: some Collection<TransferPlan.Transfer>, apiPort: Int) async throws -> [TransferPlan.Transfer] {
        var started: [TransferPlan.Transfer] = []
        for batch in Array(transfers).chunked(16) {
            try await withThrowingTaskGroup(of: TransferPlan.Transfer.self) { group in
                for transfer in batch {
                    group.addTask {
                        let (status, body) = try await httpPost(port: apiPort, "/transfers", json: [
                            "payerVpa": transfer.payer, "payeeVpa": transfer.payee, "amountMinor": transfer.amountMinor,
                            "currency": "INR", "note": "failover",
                        ], headers: ["Idempotency-Key": "failover-\(transfer.id)"])
                        try #require(status == 202, "POST /transfers answered \(status): \(body)")
                        var accepted = transfer
                        accepted.id = try #require(UUID(uuidString: body["sagaId"] as? String ?? ""), "\(body)")
                        return accepted
                    }
                }
                for try await transfer in group { started.append(transfer) }
            }
        }
        return started
    }

    /// Places `count` orders of a demo product paid with the test card that authorizes
    /// (`POST /orders`); returns their saga ids.
    static func postOrders(_ count: Int, apiPort: Int) async throws -> [String] {
        let product = DemoData.products[3]
        var ids: [String] = []
        for index in 0..<count {
            let (status, body) = try await httpPost(port: apiPort, "/orders", json: [
                "customerId": DemoData.customers[index % DemoData.customers.count].uuidString.lowercased(),
                "items": [["productId": product.productID.uuidString.lowercased(), "sku": product.sku, "quantity": 1,
                           "unitPriceMinor": product.unitPriceMinor]],
                "currency": DemoData.currency, "paymentToken": "tok_visa",
            ])
            try #require(status == 202, "POST /orders answered \(status): \(body)")
            ids.append(try #require(body["sagaId"] as? String, "\(body)"))
        }
        return ids
    }

    /// Completed plus compensated sagas in `sagas`; throws as soon as one is parked `failed`.
    static func ended(_ sagas: PostgresSagaStore) async throws -> Int {
        let counts = try await sagas.countByStatus()
        if let failed = counts[.failed], failed > 0 {
            let reasons = try await sagas.sagas(status: .failed, limit: 5).map { $0.failureReason ?? "?" }
            throw ParkedSagas(count: failed, reasons: reasons, log: "the replicas' logs")
        }
        return (counts[.completed] ?? 0) + (counts[.compensated] ?? 0)
    }

    /// Ids of the sagas that have not ended.
    static func inFlight(_ sagas: PostgresSagaStore) async throws -> [String] {
        try await sagas.transaction("in flight") { transaction in
            try transaction.query("SELECT saga_id FROM saga_instance WHERE status NOT IN ('completed', 'compensated')").rows
                .map { try $0["saga_id"].decode(String.self) }
        }
    }

    /// What the store says about the sagas that have not ended (at most `limit`), for a test
    /// that timed out waiting for them: how many it holds, and each unfinished saga's place.
    static func unfinishedReport(_ sagas: PostgresSagaStore, limit: Int = 20) async throws -> String {
        try await sagas.transaction("unfinished sagas") { transaction in
            let total = try transaction.query("SELECT count(*) AS n FROM saga_instance").rows.first?["n"].decode(Int.self) ?? 0
            let rows = try transaction.query("""
                SELECT saga_id, status, phase, step_index, attempt, deadline_kind, deadline, updated_at
                FROM saga_instance WHERE status NOT IN ('completed', 'compensated') ORDER BY updated_at LIMIT \(limit)
                """).rows
            let now = Date().timeIntervalSince1970
            let lines = try rows.map { row in
                let deadline = try row["deadline"].decode(Double?.self).map { String(format: "%+.0f s", $0 - now) } ?? "-"
                let idle = now - (try row["updated_at"].decode(Double.self))
                return "  \(try row["saga_id"].decode(String.self)) \(try row["status"].decode(String.self))/\(try row["phase"].decode(String.self)) "
                    + "step \(try row["step_index"].decode(Int.self)) attempt \(try row["attempt"].decode(Int.self)) "
                    + "deadline \(try row["deadline_kind"].decode(String?.self) ?? "-") \(deadline), idle \(String(format: "%.0f", idle)) s"
            }
            return "\(total) sagas stored; unfinished (oldest first):\n" + lines.joined(separator: "\n")
        }
    }

    /// The latest `updated_at` (seconds since 1970) of `ids`: when the last of them ended.
    static func lastUpdate(of ids: [String], in sagas: PostgresSagaStore) async throws -> Double? {
        guard !ids.isEmpty else { return nil }
        return try await sagas.transaction("last update") { transaction in
            try transaction.query("SELECT max(updated_at) AS last FROM saga_instance WHERE saga_id = ANY(\(ids))").rows.first?["last"]
                .decode(Double?.self)
        }
    }

    /// Every saga's status by id.
    static func statuses(_ sagas: PostgresSagaStore) async throws -> [String: String] {
        try await sagas.transaction("statuses") { transaction in
            Dictionary(uniqueKeysWithValues: try transaction.query("SELECT saga_id, status FROM saga_instance").rows.map {
                (try $0["saga_id"].decode(String.self), try $0["status"].decode(String.self))
            })
        }
    }

    /// Unpublished outbox rows per schema, for every schema named `<prefix>_…` that has an outbox.
    static func unpublished(schemaPrefix: String, in sagas: PostgresSagaStore) async throws -> [String: Int] {
        try await sagas.transaction("unpublished outbox rows") { transaction in
            // query_to_xml runs the count in each schema found (a table name cannot be a bound parameter).
            let rows = try transaction.query("""
                SELECT table_schema::text AS schema, (xpath('/row/n/text()', query_to_xml(
                    format('SELECT count(*) AS n FROM %I.outbox WHERE published_at IS NULL', table_schema::text), false, true, '')))[1]::text::bigint AS n
                FROM information_schema.tables WHERE table_name = 'outbox' AND table_schema LIKE \(schemaPrefix + "\\_%")
                """).rows
            return Dictionary(uniqueKeysWithValues: try rows.map { (try $0["schema"].decode(String.self), try $0["n"].decode(Int.self)) })
        }
    }

    /// What the command topics hold: every record, and the (saga, phase, step, item, attempt) whose
    /// command went out under more than one message id (the orchestrator decided that attempt twice).
    struct Commands {
        var records = 0
        var distinctMessages = 0
        var attemptsDecidedTwice: [String] = []
    }

    static func commands(on topics: SagaTopics, kafka: KafkaConfiguration) async throws -> Commands {
        let reader = KafkaTopicReader(configuration: kafka, logger: Broker.logger)
        var result = Commands()
        var messagesByAttempt: [String: Set<String>] = [:]
        var messages: Set<String> = []
        for topic in [topics.accountCommands, topics.inventoryCommands, topics.paymentCommands, topics.orderCommands, topics.notificationCommands] {
            for record in try await reader.readToEnd(topic, timeout: .seconds(60)) {
                func header(_ name: String) -> String { record.header(name)?.stringValue ?? "" }
                // The idempotency key is `<saga>:<phase>:<step>` (a compensation may carry its step's name).
                let attempt = [SagaHeaders.idempotencyKey, SagaHeaders.item, SagaHeaders.attempt].map(header).joined(separator: "/")
                messagesByAttempt[attempt, default: []].insert(header(SagaHeaders.messageID))
                messages.insert(header(SagaHeaders.messageID))
                result.records += 1
            }
        }
        result.distinctMessages = messages.count
        result.attemptsDecidedTwice = messagesByAttempt.filter { $0.value.count > 1 }.map(\.key).sorted()
        return result
    }

    /// How many records the dead-letter topics of `topics` hold.
    static func deadLetters(on topics: SagaTopics, kafka: KafkaConfiguration) async throws -> [String: Int64] {
        let reader = KafkaTopicReader(configuration: kafka, logger: Broker.logger)
        var counts: [String: Int64] = [:]
        for topic in TopicProvisioner.topicNames(topics) where topic.hasSuffix(".dlq") {
            let held = try await reader.watermarks(of: topic).reduce(Int64(0)) { $0 + $1.high - $1.low }
            if held > 0 { counts[topic] = held }
        }
        return counts
    }
}

extension Array {
    /// The elements in consecutive slices of at most `size`.
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
