import Foundation
import SagaDev
import SagaSystem

/// The lines `sagactl dev` prints once it is ready: where everything is and what to try.
/// The first line, `sagactl dev: ready`, is what scripts and tests wait for.
struct DevBanner: Sendable {
    let context: DevContext
    let mode: String

    func text(httpURL: String, extra: [String] = []) -> String {
        let data = context.data.url.path
        let servers = context.bootstrapServers
        let topics = context.topics
        let store = context.data.file("orchestrator.sqlite").path
        var lines = ["sagactl dev: ready"]
        if let broker = context.broker {
            lines.append("  broker   \(servers)  (Tansu, pid \(broker.process.pid), log \(broker.process.logFile.path))")
            if let fetchWait = context.sharedSettings["KAFKA_FETCH_WAIT_MAX_MS"] {
                // What the roles got, and what a user's own consumer of this broker needs too.
                lines.append("  fetch    KAFKA_FETCH_WAIT_MAX_MS=\(fetchWait)  (for your own consumers too: Tansu answers an empty fetch only at its deadline)")
            }
        } else {
            lines.append("  broker   \(servers)  (given)")
        }
        lines.append("  http     \(httpURL)  (/orders /transfers /sagas /healthz /readyz /metrics)")
        // Development tokens, new each run: printing them is the point (only their hashes reach the roles).
        lines.append("  token    \(context.tokens.producer.token)  (producer: POST /orders, /transfers, GET /sagas/{id})")
        lines.append("  token    \(context.tokens.operator.token)  (operator: read everything, retry, resolve, replay)")
        lines.append("  data     \(data)" + (context.data.deletesOnFinish ? "  (removed on exit; --keep-data keeps it)" : ""))
        if let database = context.options.database {
            // Without the password.
            lines.append("  database \(database)  (PostgreSQL; the schemas stay after exit)")
        }
        lines.append("  mode     \(mode)")
        if context.options.demo {
            let what = context.options.processes
                ? "UPI transfers (orders need POST /orders of the HTTP API), failures included"
                : "orders and UPI transfers, failures included"
            lines.append("  demo     \(context.options.rate) request(s)/s: \(what)")
        }
        lines += extra
        lines += [
            "try (from the repository root, where ./schemas is):",
            "  sagactl publish \(topics.transferRequested) --schema TransferRequested --bootstrap-servers \(servers) --value '\(exampleTransfer())'",
            "  export SAGA_URL=\(httpURL) SAGA_TOKEN=\(context.tokens.operator.token)",
            "  sagactl sagas --state failed" + (context.options.database == nil ? "        (or --store \(store))" : ""),
            "  sagactl status <saga-id>",
            "  sagactl saga retry <saga-id>",
            "  sagactl dlq summary \(topics.accountCommands) --bootstrap-servers \(servers)",
            "  curl -s \(httpURL)/sagas/counts -H \"Authorization: Bearer $SAGA_TOKEN\"",
            "  curl -s \(httpURL)/readyz",
            "Ctrl-C stops everything.",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// A valid `TransferRequested` in Avro's JSON encoding (fresh ids), alice pays bob ₹150.
    func exampleTransfer() -> String {
        let id = UUID().uuidString.lowercased()
        let millis = Int64(Date().timeIntervalSince1970 * 1000)
        return #"{"metadata":{"messageId":"\#(UUID().uuidString.lowercased())","sagaId":"\#(id)","causationId":null,"#
            + #""occurredAt":\#(millis),"source":"sagactl","traceParent":null,"replyTo":null},"transferId":"\#(id)","#
            + #""payerVpa":"alice@okbank","payeeVpa":"bob@okbank","amount":{"amountMinor":15000,"currency":"INR"},"note":null}"#
    }
}
