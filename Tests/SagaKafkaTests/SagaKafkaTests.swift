import Foundation
import Kafka
import SagaContracts
import SagaCore
import SagaKafka
import SagaAvro
import SagaTestSupport
import Testing

/// The engine end to end through the real broker and real SQLite stores.
@Suite(.timeLimit(.minutes(3)))
struct SagaKafkaTests {
    @Test func happyPathCompletesAndPublishesLifecycleEvents() async throws {
        let world = try await SagaWorld()
        try await world.placeOrder("ok-1")
        try await world.placeOrder("ok-1", messageID: "start-again") // a second start of the same saga id
        let state = try await world.waitFor("ok-1")
        #expect(state.status == .completed)
        #expect(try await world.ledger("ok-1") == ["reserve", "authorize", "charge", "ship"])
        let events = try await world.consume(world.eventsTopic) { seen in
            seen.contains { $0.lifecycleKind == "completed" }
        }
        #expect(events.compactMap(\.lifecycleKind) == ["started", "stepCompleted", "stepCompleted", "stepCompleted", "stepCompleted", "completed"])
        #expect(events.allSatisfy { $0.key == Array("ok-1".utf8) })
        try await eventually("outbox drained") { try await world.orchestratorStore.pendingOutbox(limit: 1).isEmpty }
        await world.stop()
    }

    /// Lifecycle events as the contracts' Avro records, read back from the broker.
    @Test func lifecycleEventsArePublishedAsAvroContractRecords() async throws {
        let world = try await SagaWorld(lifecycleEncoder: SagaLifecycleAvroEncoder(source: "orders"))
        let ok = UUID().uuidString.lowercased()
        let failing = UUID().uuidString.lowercased()
        try await world.placeOrder(ok, orderID: "ok")
        try await world.placeOrder(failing, orderID: "fail-charge")
        #expect(try await world.waitFor(ok).status == .completed)
        #expect(try await world.waitFor(failing).status == .compensated)
        let records = try await world.consume(world.eventsTopic) { seen in
            seen.filter { $0.headers.string(SagaHeaders.messageType)?.hasSuffix("SagaCompleted") == true
                || $0.headers.string(SagaHeaders.messageType)?.hasSuffix("SagaCompensated") == true }.count == 2
        }
        let types = { (id: String) in
            records.filter { $0.key == Array(id.utf8) }.compactMap { $0.headers.string(SagaHeaders.messageType) }
        }
        #expect(types(ok) == ["com.swiftsaga.saga.SagaStarted"] + Array(repeating: "com.swiftsaga.saga.SagaStepCompleted", count: 4)
            + ["com.swiftsaga.saga.SagaCompleted"])
        #expect(types(failing).suffix(4) == ["com.swiftsaga.saga.SagaCompensating", "com.swiftsaga.saga.SagaStepCompleted",
            "com.swiftsaga.saga.SagaStepCompleted", "com.swiftsaga.saga.SagaCompensated"])
        let compensating = try #require(records.first { $0.headers.string(SagaHeaders.messageType) == SagaCompensating.messageType })
        let decoded = try SagaCompensating.decodePayload(compensating.value)
        #expect(decoded.metadata.sagaId == UUID(uuidString: failing) && decoded.metadata.source == "orders")
        #expect(decoded.failedStep == "chargeCard" && decoded.compensations == ["authorizeCard", "reserveStock"])
        #expect(decoded.failure.code == "BUSINESS_FAILURE" && decoded.failure.message == "step 'chargeCard' failed: charge refused")
        await world.stop()
    }

    /// A business failure at each step before and at the pivot undoes exactly the completed
    /// steps, newest first; after the pivot it parks the saga with the reason shown.
    @Test func businessFailureInEachPositionCompensatesExactlyTheCompletedSteps() async throws {
        let world = try await SagaWorld()
        let cases: [(String, SagaStatus, [String])] = [
            ("fail-reserve", .compensated, []),
            ("fail-authorize", .compensated, ["reserve", "release"]),
            ("fail-charge", .compensated, ["reserve", "authorize", "void", "release"]),
            ("fail-ship", .failed, ["reserve", "authorize", "charge"]),
        ]
        for (order, _, _) in cases { try await world.placeOrder(order) }
        for (order, status, ledger) in cases {
            let state = try await world.waitFor(order) { $0.isTerminal || $0 == .failed }
            #expect(state.status == status, "\(order)")
            #expect(try await world.ledger(order) == ledger, "\(order)")
        }
        let parked = try #require(try await world.orchestratorStore.load(sagaID: "fail-ship"))
        #expect(parked.failureReason == "step 'shipOrder' after the pivot failed: ship refused")
        await world.stop()
    }

    @Test func transientFailureIsRetriedByTheSaga() async throws {
        let world = try await SagaWorld()
        try await world.placeOrder("flaky", orderID: "flaky-authorize")
        #expect(try await world.waitFor("flaky").status == .completed)
        #expect(try await world.ledger("flaky") == ["reserve", "flaky-authorize", "flaky-authorize", "authorize", "charge", "ship"])
        let history = try await world.orchestratorStore.history(sagaID: "flaky")
        #expect(history.filter { $0.stepName == "authorizeCard" }.map(\.outcome) == [.retriableFailure, .succeeded])
        await world.stop()
    }

    /// Shipping goes to a topic nobody consumes: every attempt times out, is retried, and the
    /// saga parks (after the pivot). A reply that then arrives for the first attempt is late:
    /// recorded, without effect.
    @Test func timeoutsAreRetriedAndLateRepliesIgnored() async throws {
        let world = try await SagaWorld(definition: { prefix in
            try Fixtures.orderSaga(
                prefix: prefix, timeout: .seconds(30), shippingTopic: prefix + "nobody.commands", redirectedTimeout: .milliseconds(400)
            )
        }, extraTopics: ["nobody.commands"])
        try await world.placeOrder("slow")
        let parked = try await world.waitFor("slow") { $0 == .failed }
        #expect(parked.failureReason?.contains("no reply within") == true)
        #expect(parked.failureReason?.contains("after 4 attempts") == true)
        let history = try await world.orchestratorStore.history(sagaID: "slow")
        let shipping = history.filter { $0.stepName == "shipOrder" }
        #expect(shipping.map(\.outcome) == [.timedOut, .timedOut, .timedOut, .timedOut])
        // The first shipping attempt's reply finally arrives.
        let late = try #require(shipping.first)
        _ = try await world.producer.send(KafkaMessage(topic: world.replies, key: Array("slow".utf8), value: [], headers: [
            KafkaHeader(name: SagaHeaders.messageID, value: "late-reply"), KafkaHeader(name: SagaHeaders.sagaID, value: "slow"),
            KafkaHeader(name: SagaHeaders.causationID, value: late.requestID),
            KafkaHeader(name: SagaHeaders.replyStatus, value: "success"),
        ]))
        try await eventually("late reply recorded") {
            try await world.orchestratorStore.history(sagaID: "slow").first { $0.stepName == "shipOrder" }?.lateReply != nil
        }
        #expect(try await world.orchestratorStore.load(sagaID: "slow") == parked)
        await world.stop()
    }

    /// The pivot goes to a topic nobody consumes: each attempt times out and is retried, then
    /// the saga parks for a person (the charge may have happened and has no compensation); the
    /// first attempt's reply, arriving at last, is recorded and ignored.
    @Test func pivotTimeoutIsRetriedThenParks() async throws {
        let world = try await SagaWorld(definition: { prefix in
            try Fixtures.orderSaga(
                retry: .exponential(maxAttempts: 3, initial: .milliseconds(50), jitter: 0), prefix: prefix,
                timeout: .seconds(30), chargeTopic: prefix + "nobody.commands", redirectedTimeout: .milliseconds(400)
            )
        }, extraTopics: ["nobody.commands"])
        try await world.placeOrder("stuck")
        let parked = try await world.waitFor("stuck") { $0 == .failed }
        #expect(parked.phase == .forward && parked.stepIndex == 2)
        #expect(parked.failureReason?.hasPrefix("pivot step 'chargeCard' has an uncertain outcome: no reply within") == true)
        #expect(parked.failureReason?.contains("(after 3 attempts)") == true)
        #expect(try await world.ledger("stuck") == ["reserve", "authorize"])
        let history = try await world.orchestratorStore.history(sagaID: "stuck")
        #expect(history.filter { $0.stepName == "chargeCard" }.map(\.outcome) == [.timedOut, .timedOut, .timedOut])
        #expect(history.allSatisfy { $0.phase == .forward })
        let first = try #require(history.first { $0.stepName == "chargeCard" })
        _ = try await world.producer.send(KafkaMessage(topic: world.replies, key: Array("stuck".utf8), value: [], headers: [
            KafkaHeader(name: SagaHeaders.messageID, value: "late-charge"), KafkaHeader(name: SagaHeaders.sagaID, value: "stuck"),
            KafkaHeader(name: SagaHeaders.causationID, value: first.requestID),
            KafkaHeader(name: SagaHeaders.replyStatus, value: "success"),
        ]))
        try await eventually("late reply recorded") {
            try await world.orchestratorStore.history(sagaID: "stuck").first { $0.stepName == "chargeCard" }?.lateReply?.replyID
                == "late-charge"
        }
        #expect(try await world.orchestratorStore.load(sagaID: "stuck") == parked)
        await world.stop()
    }

    /// A compensatable step goes to a topic nobody consumes: after its attempts time out, its
    /// compensation runs first (it may have taken effect), then the completed step's.
    @Test func compensatableStepTimeoutIsCompensatedAsPossiblyDone() async throws {
        let world = try await SagaWorld(definition: { prefix in
            try Fixtures.orderSaga(
                retry: .exponential(maxAttempts: 2, initial: .milliseconds(50), jitter: 0), prefix: prefix,
                timeout: .seconds(30), authorizeTopic: prefix + "nobody.commands", redirectedTimeout: .milliseconds(400)
            )
        }, extraTopics: ["nobody.commands"])
        try await world.placeOrder("unsure")
        let done = try await world.waitFor("unsure")
        #expect(done.status == .compensated)
        #expect(done.failureReason?.contains("its outcome is uncertain, so it is compensated too") == true)
        #expect(try await world.ledger("unsure") == ["reserve", "void", "release"])
        let compensations = try await world.orchestratorStore.history(sagaID: "unsure").filter { $0.phase == .compensation }
        #expect(compensations.map(\.stepName) == ["authorizeCard", "reserveStock"])
        #expect(compensations.map(\.compensatesUncertainStep) == [true, false])
        await world.stop()
    }

    /// The participants are down while the first attempt of reserveStock times out and a second
    /// attempt is sent. When they come up they see both commands: the first runs the handler, the
    /// second (same idempotency key) gets the stored reply — the stock is reserved once — and the
    /// orchestrator records the first reply as late and goes on with the second.
    @Test func aRetriedStepHasItsBusinessEffectOnce() async throws {
        let world = try await SagaWorld(definition: { prefix in
            try Fixtures.orderSaga(
                retry: .exponential(maxAttempts: 8, initial: .milliseconds(50), jitter: 0), prefix: prefix, timeout: .seconds(2)
            )
        }, startParticipants: false)
        try await world.placeOrder("late-participant")
        try await eventually("a second attempt of reserveStock") {
            try await world.orchestratorStore.history(sagaID: "late-participant").count >= 2
        }
        world.startParticipantService()
        let done = try await world.waitFor("late-participant")
        #expect(done.status == .completed)
        #expect(try await world.ledger("late-participant") == ["reserve", "authorize", "charge", "ship"])
        let reserve = try await world.orchestratorStore.history(sagaID: "late-participant").filter { $0.stepName == "reserveStock" }
        #expect(reserve.count >= 2 && reserve.last?.outcome == .succeeded)
        #expect(reserve.dropLast().allSatisfy { $0.outcome == .timedOut })
        try await eventually("the first attempt's reply recorded as late") {
            try await world.orchestratorStore.history(sagaID: "late-participant").first?.lateReply != nil
        }
        await world.stop()
    }

    /// Replies delivered again (same message id) and duplicates with a new id change nothing.
    @Test func duplicateAndRedeliveredRepliesHaveNoSecondEffect() async throws {
        let world = try await SagaWorld()
        try await world.placeOrder("dup")
        let done = try await world.waitFor("dup")
        let history = try await world.orchestratorStore.history(sagaID: "dup")
        let outboxRows = try await world.orchestratorStore.pendingOutbox(limit: 1000).count
        for attempt in history {
            for replyID in [DeterministicUUID.make("reply/\(attempt.requestID)"), "copy-\(attempt.requestID)"] {
                _ = try await world.producer.send(KafkaMessage(topic: world.replies, key: Array("dup".utf8), value: [], headers: [
                    KafkaHeader(name: SagaHeaders.messageID, value: replyID), KafkaHeader(name: SagaHeaders.sagaID, value: "dup"),
                    KafkaHeader(name: SagaHeaders.causationID, value: attempt.requestID),
                    KafkaHeader(name: SagaHeaders.replyStatus, value: "success"),
                ]))
            }
        }
        try await eventually("copies recorded as late replies") {
            try await world.orchestratorStore.history(sagaID: "dup").allSatisfy { $0.lateReply?.replyID.hasPrefix("copy-") == true }
        }
        #expect(try await world.orchestratorStore.load(sagaID: "dup") == done)
        #expect(try await world.orchestratorStore.pendingOutbox(limit: 1000).count <= outboxRows)
        #expect(try await world.ledger("dup") == ["reserve", "authorize", "charge", "ship"])
        await world.stop()
    }

    /// A record that is not a reply lands in the DLQ with every header while the next valid
    /// message is processed; once the saga it names exists, replaying it succeeds, and the
    /// same DLQ record is not replayed twice unless forced.
    @Test func poisonMessageGoesToTheDLQAndCanBeReplayed() async throws {
        let world = try await SagaWorld()
        // Poison 1: no envelope at all. Poison 2: a well-formed reply for a saga that does not exist yet.
        _ = try await world.producer.send(KafkaMessage(topic: world.replies, partition: 1, key: Array("p".utf8), value: [1, 2, 3],
            headers: [KafkaHeader(name: "origin", value: "test")]))
        _ = try await world.producer.send(KafkaMessage(topic: world.replies, partition: 1, key: Array("later".utf8), value: [], headers: [
            KafkaHeader(name: SagaHeaders.messageID, value: "early-reply"), KafkaHeader(name: SagaHeaders.sagaID, value: "later"),
            KafkaHeader(name: SagaHeaders.causationID, value: "nothing"), KafkaHeader(name: SagaHeaders.replyStatus, value: "success"),
        ]))
        try await world.placeOrder("after-poison")
        #expect(try await world.waitFor("after-poison").status == .completed)

        let dlq = try await world.consume(DeadLetterRecord.topic(for: world.replies)) { $0.count >= 2 }
        let garbage = try #require(dlq.first { $0.value == [1, 2, 3] })
        #expect(garbage.partition == 1 && garbage.key == Array("p".utf8))
        #expect(garbage.headers.string("origin") == "test")
        #expect(garbage.headers.string(DeadLetterHeaders.originalTopic) == world.replies)
        #expect(garbage.headers.last { $0.key == DeadLetterHeaders.originalPartition }?.value == [0, 0, 0, 1])
        #expect(garbage.headers.last { $0.key == DeadLetterHeaders.originalOffset }?.value.count == 8)
        #expect(garbage.headers.last { $0.key == DeadLetterHeaders.originalTimestamp }?.value.count == 8)
        #expect(garbage.headers.string(DeadLetterHeaders.originalConsumerGroup) == world.prefix + "orchestrator")
        #expect(garbage.headers.string(DeadLetterHeaders.exceptionMessage)?.contains("missing header") == true)
        #expect(garbage.headers.string(DeadLetterHeaders.exceptionFQCN)?.contains("SagaRuntimeError") == true)
        #expect(garbage.headers.string(DeadLetterHeaders.errorKind) == "undecodable")
        #expect(garbage.headers.string(DeadLetterHeaders.service) == "saga-orchestrator")
        #expect(garbage.headers.string(DeadLetterHeaders.attempts) == "1")
        #expect(garbage.headers.string(DeadLetterHeaders.failedAt) != nil)
        let early = try #require(dlq.first { $0.messageID == "early-reply" })
        #expect(early.headers.string(DeadLetterHeaders.errorKind) == "invalid")

        // Replay the early reply once its saga exists: processed (recorded as a late reply).
        try await world.placeOrder("later")
        _ = try await world.waitFor("later")
        let replayer = DeadLetterReplayer(producer: world.producer, store: world.orchestratorStore)
        let replay = try await replayer.replay(early, replayID: "replay-1")
        #expect(replay.outcome == .pending)
        try await eventually("replay succeeded") { try await world.orchestratorStore.replay(id: "replay-1")?.outcome == .succeeded }
        await #expect(throws: SagaStoreError.self) { try await replayer.replay(early, replayID: "replay-2") }
        // Replaying the garbage (forced or not, first time) dead-letters it again with fresh headers only.
        _ = try await replayer.replay(garbage, replayID: "replay-3")
        try await eventually("replay dead-lettered again") {
            try await world.orchestratorStore.replay(id: "replay-3")?.outcome == .deadLetteredAgain
        }
        let again = try await world.consume(DeadLetterRecord.topic(for: world.replies)) { seen in
            seen.contains { $0.headers.string(DeadLetterHeaders.replayID) == "replay-3" }
        }
        let second = try #require(again.first { $0.headers.string(DeadLetterHeaders.replayID) == "replay-3" })
        #expect(second.headers.filter { $0.key == DeadLetterHeaders.exceptionMessage }.count == 1)
        #expect(second.headers.filter { $0.key == DeadLetterHeaders.originalOffset }.count == 1)
        #expect(second.headers.count == garbage.headers.count + 1)
        await world.stop()
    }

    /// Commands that waited while their participant was down arrive together, and a lane takes
    /// them as one batch in one transaction; a poison command among them sends the batch back to
    /// one-by-one processing: it alone is dead-lettered, every other command has its effect once.
    @Test func commandsThatWaitedTogetherAroundAPoisonOneEachHaveTheirEffectOnce() async throws {
        let world = try await SagaWorld(startParticipants: false)
        let ids = (0..<20).map { "waited-\($0)" }
        for (index, id) in ids.enumerated() {
            try await world.placeOrder(id)
            if index == 10 {
                for partition: Int32 in [0, 1] {
                    _ = try await world.producer.send(KafkaMessage(topic: world.inventory, partition: partition, key: Array("x".utf8),
                        value: [9], headers: [KafkaHeader(name: SagaHeaders.messageID, value: "poison-\(partition)")]))
                }
            }
        }
        _ = try await world.consume(world.inventory) { $0.count >= ids.count + 2 }
        world.startParticipantService()
        for id in ids {
            #expect(try await world.waitFor(id).status == .completed)
            #expect(try await world.ledger(id) == ["reserve", "authorize", "charge", "ship"])
        }
        let dlq = try await world.consume(DeadLetterRecord.topic(for: world.inventory)) { $0.count >= 2 }
        #expect(Set(dlq.compactMap(\.messageID)) == ["poison-0", "poison-1"])
        await world.stop()
    }

    @Test func poisonCommandToAParticipantIsDeadLettered() async throws {
        let world = try await SagaWorld()
        _ = try await world.producer.send(KafkaMessage(topic: world.payments, key: Array("x".utf8), value: [9], headers: [
            KafkaHeader(name: SagaHeaders.messageID, value: "bad-command"), KafkaHeader(name: SagaHeaders.sagaID, value: "x"),
            KafkaHeader(name: SagaHeaders.replyTo, value: world.replies), KafkaHeader(name: SagaHeaders.messageType, value: "Unknown"),
        ]))
        try await world.placeOrder("after-bad-command")
        #expect(try await world.waitFor("after-bad-command").status == .completed)
        let dlq = try await world.consume(DeadLetterRecord.topic(for: world.payments)) { $0.count >= 1 }
        #expect(dlq[0].messageID == "bad-command")
        #expect(dlq[0].headers.string(DeadLetterHeaders.errorKind) == "undecodable")
        #expect(dlq[0].headers.string(DeadLetterHeaders.service) == "test-participants")
        await world.stop()
    }
}
