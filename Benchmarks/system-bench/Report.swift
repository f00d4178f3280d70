import Foundation

/// What the rounds of one configuration measured: the broker's bare rates beside the sagas'.
struct ConfigurationResult {
    var configuration: BenchConfiguration
    var produce: [Measurement] = []
    var roundTrip: [Measurement] = []
    var kinds: [SagaKindResult] = [SagaKindResult(name: "order", hops: 10), SagaKindResult(name: "UPI transfer", hops: 12)]
    /// Per round: the p50 and p99 of one produce → consume hop, one record at a time.
    var hops: [(p50: Double, p99: Double)] = []
    /// With two orchestrators: the sagas the replica process ended, and all sagas ended, over the rounds.
    var replicaShare: (replica: Int, total: Int)?
}

/// The runs of one saga kind in one configuration.
struct SagaKindResult {
    var name: String
    /// Records on the saga's critical path, each produced and consumed after the one before: the
    /// start event, a command and its reply per forward step, the `SagaCompleted` event (order:
    /// 4 steps, transfer: 5, as the catalog defines them).
    var hops: Int
    var runs: [Measurement] = []
    /// The runs at the latency runs' concurrency.
    var latencyRuns: [Measurement] = []
    /// The runs started open loop at half the round's measured rate, and those rates.
    var pacedRuns: [Measurement] = []
    var pacedRates: [Double] = []
    var records: [Double] = []
    var statements: [Double] = []
    var commits: [Double] = []
    /// Per full-rate run: each consuming service's lanes (``LaneUse``).
    var lanes: [[String: LaneUse]] = []
}

/// The medians of every configuration in one table: sagas per second, latency, their ratio to
/// the bare produce→consume rate measured in the same rounds, Kafka records and database work per saga.
struct Report {
    var results: [ConfigurationResult]
    var latencyInFlight: Int
    var pacedSeconds: Int

    var table: String {
        let columns: [(String, Int)] = [("store", 9), ("orch", 5), ("saga", 13), ("sagas/s", 9), ("p50 ms", 8), ("p99 ms", 8),
            ("% of bare", 10), ("% rec", 7), ("records", 8), ("DB stmts", 9), ("DB commits", 11), ("bare p→c/s", 11),
            ("bare prod/s", 12), ("CPU ms/saga", 12), ("broker ms", 10)]
        var lines = ["", columns.enumerated().map { pad($1.0, $1.1, left: $0 > 2) }.joined(separator: " ")]
        for result in results {
            let roundTripRate = median(result.roundTrip.map(\.perSecond)), produceRate = median(result.produce.map(\.perSecond))
            for kind in result.kinds {
                let rate = median(kind.runs.map(\.perSecond))
                let cpu = kind.runs.compactMap(\.cpuSelfPerItem), brokerCPU = kind.runs.compactMap(\.cpuBrokerPerItem)
                let cells = [
                    result.configuration.store.rawValue, "\(result.configuration.orchestrators)", kind.name,
                    String(format: "%.0f", rate), format(kind.runs.compactMap(\.p50), "%.1f"), format(kind.runs.compactMap(\.p99), "%.1f"),
                    String(format: "%.2f%%", 100 * rate / roundTripRate),
                    String(format: "%.1f%%", 100 * rate * median(kind.records) / roundTripRate), format(kind.records, "%.1f"),
                    format(kind.statements, "%.1f"), format(kind.commits, "%.1f"), String(format: "%.0f", roundTripRate),
                    String(format: "%.0f", produceRate), format(cpu, "%.2f"), format(brokerCPU, "%.2f"),
                ]
                lines.append(zip(cells, columns).enumerated().map { pad($1.0, $1.1.1, left: $0 > 2) }.joined(separator: " "))
            }
        }
        lines += lanesTable
        lines += latencyTable
        lines += pacedTable
        lines.append("")
        for result in results {
            if let share = result.replicaShare {
                lines.append("\(result.configuration): the replica process ended \(share.replica) of \(share.total) sagas "
                    + String(format: "(%.0f%%)", share.total == 0 ? 0 : 100 * Double(share.replica) / Double(share.total)))
            }
        }
        lines += [
            "% of bare: sagas/s over the bare produce→consume records/s measured in the same configuration's rounds;",
            "  % rec: the same counted in records (sagas/s × records per saga).",
            "records: Kafka records written per saga (commands, replies, lifecycle events, start event), counted in the outboxes.",
            "DB stmts: statements per saga (BEGIN and COMMIT included; on PostgreSQL each is a round trip), DB commits: committed",
            "  transactions per saga; SQLite: the adapter's counters (write transactions), PostgreSQL: pg_stat_statements over",
            "  every process's connections (reads' included). Both include what the idle pollers (relays, timers) did.",
            "CPU ms/saga: this process only (every role but the replica; not the broker, not PostgreSQL);",
            "  broker ms: the broker's CPU per saga in the same run.",
            pacedSeconds > 0 ? "cores busy (half rate): this process's and the broker's CPU seconds per second of the run; near the" : nil,
            pacedSeconds > 0 ? "  machine's cores, the schedule outran the system and the p99 is a queue's, not the system's latency." : nil,
        ].compactMap { $0 }
        return lines.joined(separator: "\n")
    }

    /// The latency runs beside their floor: the hops of the saga's critical path, one record at a
    /// time through the broker, each at the measured hop's p50.
    private var latencyTable: [String] {
        guard latencyInFlight > 0 else { return [] }
        let columns: [(String, Int)] = [("store", 9), ("orch", 5), ("saga", 13), ("hops", 5), ("hop p50", 8), ("hop p99", 8),
            ("floor ms", 9), ("p50 ms", 8), ("p50/floor", 10), ("p99 ms", 8), ("p99/floor", 10)]
        var lines = ["", "Latency at \(latencyInFlight) in flight:", columns.enumerated().map { pad($1.0, $1.1, left: $0 > 2) }.joined(separator: " ")]
        for result in results where !result.hops.isEmpty {
            let hopP50 = median(result.hops.map(\.p50)), hopP99 = median(result.hops.map(\.p99))
            for kind in result.kinds {
                let floor = Double(kind.hops) * hopP50
                let p50 = median(kind.latencyRuns.compactMap(\.p50)), p99 = median(kind.latencyRuns.compactMap(\.p99))
                let cells = [
                    result.configuration.store.rawValue, "\(result.configuration.orchestrators)", kind.name, "\(kind.hops)",
                    String(format: "%.1f", hopP50), String(format: "%.1f", hopP99), String(format: "%.1f", floor),
                    String(format: "%.1f", p50), String(format: "%.1f×", p50 / floor), String(format: "%.1f", p99),
                    String(format: "%.1f×", p99 / floor),
                ]
                lines.append(zip(cells, columns).enumerated().map { pad($1.0, $1.1.1, left: $0 > 2) }.joined(separator: " "))
            }
        }
        lines.append("floor ms: hops × the hop's p50 (one record produced, acknowledged and read before the next is sent).")
        return lines
    }

    /// The open-loop runs at half the measured rate: the latency a system sees with headroom.
    private var pacedTable: [String] {
        guard pacedSeconds > 0 else { return [] }
        let columns: [(String, Int)] = [("store", 9), ("orch", 5), ("saga", 13), ("started/s", 10), ("p50 ms", 8), ("p99 ms", 8),
            ("p99 ≤ 1 s", 10), ("CPU ms/saga", 12), ("broker ms", 10), ("cores busy", 11)]
        var lines = ["", "Latency at half the measured rate (started on a schedule, \(pacedSeconds) s per run):",
            columns.enumerated().map { pad($1.0, $1.1, left: $0 > 2) }.joined(separator: " ")]
        for result in results {
            for kind in result.kinds where !kind.pacedRuns.isEmpty {
                let p99 = median(kind.pacedRuns.compactMap(\.p99))
                let cells = [
                    result.configuration.store.rawValue, "\(result.configuration.orchestrators)", kind.name,
                    String(format: "%.0f", median(kind.pacedRates)), format(kind.pacedRuns.compactMap(\.p50), "%.1f"),
                    String(format: "%.1f", p99), p99 <= 1000 ? "yes" : "no",
                    format(kind.pacedRuns.compactMap(\.cpuSelfPerItem), "%.2f"), format(kind.pacedRuns.compactMap(\.cpuBrokerPerItem), "%.2f"),
                    format(kind.pacedRuns.compactMap(\.coresBusy), "%.2f"),
                ]
                lines.append(zip(cells, columns).enumerated().map { pad($1.0, $1.1.1, left: $0 > 2) }.joined(separator: " "))
            }
        }
        return lines
    }

    func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
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
