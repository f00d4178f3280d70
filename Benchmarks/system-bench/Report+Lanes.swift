import Foundation

/// How a consuming service's lanes spent one full-rate run: each lane takes the batches of the
/// partitions it was given and processes one batch (one store transaction) at a time.
struct LaneUse {
    /// The service's batch times added up, over the run's time: how many of its lanes were busy
    /// on average (each service consumes on 4).
    var lanesBusy: Double
    var messagesPerBatch: Double
    var millisecondsPerMessage: Double

    /// `nil` when the service consumed nothing in the run.
    init?(_ totals: ConsumerBatchTotals.Totals, runSeconds: Double) {
        guard totals.messages > 0, totals.batches > 0, runSeconds > 0 else { return nil }
        lanesBusy = totals.seconds / runSeconds
        messagesPerBatch = Double(totals.messages) / Double(totals.batches)
        millisecondsPerMessage = 1000 * totals.seconds / Double(totals.messages)
    }
}

extension Report {
    /// Each consuming service in the full-rate runs (medians of the rounds), busiest first: which
    /// consumer the messages queue for.
    var lanesTable: [String] {
        let columns: [(String, Int)] = [("store", 9), ("orch", 5), ("saga", 13), ("service", 24), ("lanes busy", 11),
            ("msgs/batch", 11), ("ms/msg", 8)]
        var lines = ["", "Consumer lanes at full rate (a service's batch times over the run's time, of its 4 lanes):",
            columns.enumerated().map { pad($1.0, $1.1, left: $0 > 3) }.joined(separator: " ")]
        for result in results {
            for kind in result.kinds {
                let services = Set(kind.lanes.flatMap(\.keys))
                let rows = services.map { service in
                    let uses = kind.lanes.compactMap { $0[service] }
                    return (service, median(uses.map(\.lanesBusy)), median(uses.map(\.messagesPerBatch)),
                        median(uses.map(\.millisecondsPerMessage)))
                }
                for (service, busy, perBatch, perMessage) in rows.sorted(by: { $0.1 > $1.1 }) {
                    let cells = [
                        result.configuration.store.rawValue, "\(result.configuration.orchestrators)", kind.name, service,
                        String(format: "%.2f", busy), String(format: "%.1f", perBatch), String(format: "%.2f", perMessage),
                    ]
                    lines.append(zip(cells, columns).enumerated().map { pad($1.0, $1.1.1, left: $0 > 3) }.joined(separator: " "))
                }
            }
        }
        return lines
    }
}
