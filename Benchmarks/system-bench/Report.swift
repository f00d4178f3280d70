import Foundation

/// The medians of the rounds as a table, with the ratios of saga throughput to the broker's ceiling.
struct Report {
    var produce: [Measurement]
    var roundTrip: [Measurement]
    var orders: [Measurement]
    var transfers: [Measurement]
    var orderMessages: [Double]
    var transferMessages: [Double]
    var brokerMeasured: Bool

    var table: String {
        let produceRate = median(produce.map(\.perSecond)), roundTripRate = median(roundTrip.map(\.perSecond))
        var lines = [
            "",
            pad("medians of \(orders.count) rounds", 40) + pad("per second", 11, left: true) + pad("p50 ms", 9, left: true)
                + pad("p99 ms", 9, left: true) + pad("records/op", 13, left: true) + pad("records/s", 12, left: true)
                + "   CPU ms per op (bench process / broker)",
        ]
        lines.append(row("broker: bare produce (ceiling)", produce, records: 1))
        lines.append(row("broker: bare produce→consume", roundTrip, records: 1))
        let orderRecords = median(orderMessages), transferRecords = median(transferMessages)
        lines.append(row("order saga, placeOrder→completed", orders, records: orderRecords))
        lines.append(row("UPI transfer, request→completed", transfers, records: transferRecords))
        lines.append("")
        for (name, runs, records) in [("order sagas", orders, orderRecords), ("UPI transfers", transfers, transferRecords)] {
            let rate = median(runs.map(\.perSecond))
            lines.append(name + String(format: ": %.0f/s = %.2f%% of the bare produce→consume rate (%.0f records/s); "
                + "counting its %.1f records each, %.0f records/s = %.0f%% of it and %.0f%% of bare produce (%.0f records/s)",
                rate, 100 * rate / roundTripRate, roundTripRate, records, rate * records, 100 * rate * records / roundTripRate,
                100 * rate * records / produceRate, produceRate))
        }
        lines.append("records/op: Kafka records written per saga (commands, replies, lifecycle events, start event), "
            + "counted in the outboxes; each is produced once and consumed by at least one consumer.")
        if !brokerMeasured { lines.append("broker CPU not measured (set SAGA_BENCH_BROKER_PID)") }
        return lines.joined(separator: "\n")
    }

    private func row(_ name: String, _ runs: [Measurement], records: Double) -> String {
        let rate = median(runs.map(\.perSecond))
        let p50 = runs.compactMap(\.p50), p99 = runs.compactMap(\.p99)
        let cpuSelf = runs.compactMap { run in run.cpuSelf.map { 1000 * $0 / Double(run.count) } }
        let cpuBroker = runs.compactMap { run in run.cpuBroker.map { 1000 * $0 / Double(run.count) } }
        return pad(name, 40) + pad(String(format: "%.0f", rate), 11, left: true) + pad(format(p50, "%.1f"), 9, left: true)
            + pad(format(p99, "%.1f"), 9, left: true) + pad(String(format: "%.1f", records), 13, left: true)
            + pad(String(format: "%.0f", rate * records), 12, left: true) + "   " + format(cpuSelf, "%.3f") + " / " + format(cpuBroker, "%.3f")
    }

    private func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return left ? fill + text : text + fill
    }

    private func format(_ values: [Double], _ pattern: String) -> String {
        values.isEmpty ? "-" : String(format: pattern, median(values))
    }
}

/// The median of `values` (0 for none).
func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}
