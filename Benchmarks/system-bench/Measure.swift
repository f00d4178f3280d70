import Foundation
import Kafka
import SagaContracts
import SagaCore

/// Runs one configuration's rounds. Each round measures the broker's bare rates on fresh topics,
/// then each saga kind at full concurrency, at the latency runs' concurrency and at half its
/// measured rate; every one of those saga runs gets a system of its own (``SystemSession``), so
/// that each starts on empty topics as the baseline does.
func measure(_ configuration: BenchConfiguration) async throws -> ConfigurationResult {
    let systemEnvironment = SystemUnderTest.Environment(
        servers: servers, databaseURL: environment["SAGA_BENCH_DATABASE_URL"], server: environment["SAGA_BENCH_SERVER"],
        replicaPort: environment["SAGA_BENCH_REPLICA_PORT"].flatMap { Int($0) }, pidFile: environment["SAGA_BENCH_PID_FILE"],
        lifecycleEvents: options.lifecycleEvents)
    var result = ConfigurationResult(configuration: configuration)
    var ceiling: BrokerCeiling?
    var replicaShare: (replica: Int, total: Int)?

    /// Runs `body` on a fresh system and stops it however `body` ends.
    func onFreshSystem<T>(_ body: (inout SystemSession) async throws -> T) async throws -> T {
        var session = try await SystemSession.start(configuration, environment: systemEnvironment)
        let value: T
        do {
            value = try await body(&session)
        } catch {
            try? await session.stop()  // the measurement's error is the one to report
            throw error
        }
        try await session.stop()
        return value
    }

    for round in 1...rounds {
        for index in result.kinds.indices {
            let run = try await onFreshSystem { session in
                let system = session.system
                if index == 0 {
                    // The baseline first, on topics of its own, with records shaped like the system's.
                    let bare: BrokerCeiling
                    if let ceiling { bare = ceiling } else { bare = try await brokerCeiling(for: system) }
                    ceiling = bare
                    let prefix = system.settings.topics.events + ".bench"
                    let produceTopic = "\(prefix).produce.\(round)", pingTopic = "\(prefix).roundtrip.\(round)"
                    try await createTopics([produceTopic, pingTopic], on: system)
                    result.produce.append(try await bare.produce(topic: produceTopic))
                    result.roundTrip.append(try await bare.roundTrip(topic: pingTopic))
                }
                let start = system.start(kind: index)
                let (messagesBefore, workBefore) = (try await system.messagesWritten(), try await system.work.read())
                let replicaBefore = try await system.replica?.sagasEnded()
                let batchesBefore = batchTotals.snapshot()
                let run = try await session.run(count: sagaCount, .inFlight(inFlight), start: start)
                let batchesAfter = batchTotals.snapshot()
                let (messagesAfter, workAfter) = (try await system.messagesWritten(), try await system.work.read())
                if let replicaBefore, let replicaAfter = try await system.replica?.sagasEnded() {
                    let share = replicaShare ?? (0, 0)
                    replicaShare = (share.replica + replicaAfter - replicaBefore, share.total + sagaCount)
                }
                await printTrail(of: run, in: system, "round \(round)")
                // A transfer's TransferRequested is published by the request itself, not through an outbox.
                let extra = index == 1 ? sagaCount : 0
                let work = workAfter - workBefore
                result.kinds[index].records.append(Double(messagesAfter - messagesBefore + extra) / Double(sagaCount))
                result.kinds[index].statements.append(Double(work.statements) / Double(sagaCount))
                result.kinds[index].commits.append(Double(work.commits) / Double(sagaCount))
                var lanes: [String: LaneUse] = [:]
                for (service, after) in batchesAfter {
                    lanes[service] = LaneUse(after - (batchesBefore[service] ?? .init()), runSeconds: run.seconds)
                }
                result.kinds[index].lanes.append(lanes)
                return run
            }
            result.kinds[index].runs.append(run)
        }
        if options.latencyInFlight > 0 {
            for index in result.kinds.indices {
                result.kinds[index].latencyRuns.append(try await onFreshSystem { session in
                    let system = session.system
                    if index == 0, let bare = ceiling {
                        // The floor: one record at a time through the broker, as many hops as a saga's critical path.
                        let hopTopic = "\(system.settings.topics.events).bench.hop.\(round)"
                        try await createTopics([hopTopic], on: system)
                        result.hops.append(try await bare.hop(topic: hopTopic, count: options.latencySagas))
                    }
                    let run = try await session.run(count: options.latencySagas, .inFlight(options.latencyInFlight),
                                                    start: system.start(kind: index))
                    await printTrail(of: run, in: system, "round \(round), latency run")
                    return run
                })
            }
        }
        if options.pacedSeconds > 0 {
            // Half the rate this round reached at full concurrency, started on a schedule.
            for index in result.kinds.indices {
                let rate = result.kinds[index].runs[round - 1].perSecond / 2
                let count = max(20, Int(rate * Double(options.pacedSeconds)))
                result.kinds[index].pacedRuns.append(try await onFreshSystem { session in
                    let system = session.system
                    let run = try await session.run(count: count, .perSecond(rate), start: system.start(kind: index))
                    await printTrail(of: run, in: system, "round \(round), half the rate")
                    return run
                })
                result.kinds[index].pacedRates.append(rate)
            }
        }
        let (orders, transfers) = (result.kinds[0].runs[round - 1], result.kinds[1].runs[round - 1])
        say(String(format: "%@ round %d: produce %.0f rec/s, produce→consume %.0f rec/s, orders %.0f/s (p50 %.1f ms, p99 %.1f ms), "
            + "transfers %.0f/s (p50 %.1f ms, p99 %.1f ms)", "\(configuration)", round, result.produce[round - 1].perSecond,
            result.roundTrip[round - 1].perSecond, orders.perSecond, orders.p50 ?? 0, orders.p99 ?? 0, transfers.perSecond,
            transfers.p50 ?? 0, transfers.p99 ?? 0) + startDelays(orders, transfers))
    }
    result.replicaShare = replicaShare
    return result
}

/// Prints the trail of `run`'s longest saga when it took longer than `SAGA_BENCH_TRAIL_MS`.
private func printTrail(of run: Measurement, in system: SystemUnderTest, _ label: String) async {
    guard let longest = run.longest, longest > slowSagaMilliseconds, let sagaID = run.longestSagaID else { return }
    say("\(system.configuration) \(label): saga \(sagaID) took \(Int(longest)) ms; what the stores hold of it:")
    for line in await system.trail(of: sagaID) { say(line) }
}

/// Creates the baseline's `topics` (three partitions each) on `system`'s broker.
private func createTopics(_ topics: [String], on system: SystemUnderTest) async throws {
    try await KafkaAdmin.withAdmin(configuration: system.settings.kafka, logger: logger) { admin in
        try await admin.createTopics(topics.map { KafkaTopicSpecification(name: $0, partitions: 3) })
    }
}

/// The bare clients' baseline, its records shaped like `system`'s: the mean key and value size of
/// what the orchestrator's outbox holds, and the four headers every saga record carries.
private func brokerCeiling(for system: SystemUnderTest) async throws -> BrokerCeiling {
    let (keyBytes, valueBytes) = try await system.recordShape()
    let payload = [UInt8](repeating: 0x61, count: valueBytes)
    say("\(system.configuration): records of key \(keyBytes) B, value \(valueBytes) B, 4 headers (the mean of the orchestrator's outbox)")
    return BrokerCeiling(kafka: system.settings.kafka, records: baselineRecords, record: { topic, index in
        let id = UUID().uuidString.lowercased()
        return KafkaMessage(topic: topic, key: Array(String(id.prefix(keyBytes)).utf8), value: payload, headers: [
            KafkaHeader(name: SagaHeaders.messageType, value: "swiftsaga.bench.Record"),
            KafkaHeader(name: SagaHeaders.messageID, value: id), KafkaHeader(name: SagaHeaders.sagaID, value: id),
            KafkaHeader(name: SagaHeaders.contentType, value: SagaContracts.singleObjectContentType),
        ])
    }, logger: logger)
}
