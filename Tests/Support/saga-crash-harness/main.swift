// The process the crash test starts, SIGKILLs mid-run and starts again: an orchestrator and the
// test participants on the broker in KAFKA_BOOTSTRAP_SERVERS, with topics prefixed by argument 1
// and SQLite files in the directory of argument 2. It runs until it is killed.
import Foundation
import SystemPackage
import Kafka
import Logging
import SagaCore
import SagaKafka
import SagaSQLite
import SagaTestSupport

let exitWithParentFlag = "--exit-when-stdin-closes"
let arguments = CommandLine.arguments.filter { $0 != exitWithParentFlag }
guard arguments.count == 3, ProcessInfo.processInfo.environment["KAFKA_BOOTSTRAP_SERVERS"] != nil else {
    _ = try? FileDescriptor.standardError.writeAll("usage: KAFKA_BOOTSTRAP_SERVERS=host:port saga-crash-harness [\(exitWithParentFlag)] PREFIX DIRECTORY\n".utf8)  // a failed report of a failure has nowhere to go
    exit(64)
}
if CommandLine.arguments.contains(exitWithParentFlag) {
    // The test that started us holds the other end of stdin. If it dies (even by a crash), the
    // pipe closes and we exit too, so no orphan keeps the test runner's output pipe open.
    // swift-system retries a read that a signal interrupts (Foundation's availableData traps on
    // it); end of file, or a read error, means the parent is gone.
    Thread.detachNewThread {
        var byte: UInt8 = 0
        while true {
            let count = try? withUnsafeMutableBytes(of: &byte) { try FileDescriptor.standardInput.read(into: $0, retryOnInterrupt: true) }
            if (count ?? 0) == 0 { exit(0) }
        }
    }
}
let prefix = arguments[1]
let directory = arguments[2]
var logger = Logger(label: "saga.crash-harness")
logger.logLevel = .warning

// The tests' broker settings (short group timings, the fetch wait scripts/test exports).
let kafka: KafkaConfiguration
do {
    kafka = try Broker.configuration()
} catch {
    _ = try? FileDescriptor.standardError.writeAll("saga-crash-harness: \(error)\n".utf8)  // a failed report of a failure has nowhere to go
    exit(64)
}

do {
    let orchestratorStore = try SQLiteSagaStore(path: directory + "/orchestrator.sqlite")
    let participantStore = try SQLiteSagaStore(path: directory + "/participants.sqlite")
    try participantStore.pool.write { db in try TestParticipants.migrate(db) }
    let orchestrator = SagaOrchestrator(
        registry: try SagaRegistry([Fixtures.orderRegistration(Fixtures.orderSaga(prefix: prefix, timeout: .seconds(60)), prefix: prefix)]), store: orchestratorStore,
        lifecycleTopic: prefix + "saga.events", lifecycleEncoder: JSONLifecycleEncoder()
    )
    let orchestratorService = SagaOrchestratorService(
        orchestrator: orchestrator, kafka: kafka, groupID: prefix + "orchestrator",
        logger: logger
    )
    let participantService = SagaParticipantService(
        participant: SagaParticipant(store: participantStore, consumerName: "test-participants", handler: TestParticipants.handle),
        kafka: kafka, topics: ["inventory.commands", "payments.commands", "shipping.commands"].map { prefix + $0 },
        groupID: prefix + "participants", logger: logger
    )
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await orchestratorService.run() }
        group.addTask { try await participantService.run() }
        try await group.waitForAll()
    }
} catch {
    _ = try? FileDescriptor.standardError.writeAll("saga-crash-harness failed: \(error)\n".utf8)  // a failed report of a failure has nowhere to go
    exit(1)
}
