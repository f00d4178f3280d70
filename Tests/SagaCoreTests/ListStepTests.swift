import Foundation
import SagaCore
import SagaSQLite
import SagaTestKit
import SagaTestSupport
import Testing

/// Steps over a list: one command per item, in parallel, each with its own reply, timeout and
/// retries; a failed item undoes the items that succeeded (or may have), then the earlier steps.
@Suite struct ListStepTests {
    typealias G = GiftSaga

    func scenario(limit: Int? = nil) throws -> SagaScenario<G.Data> {
        try SagaScenario(G.definition(limit: limit), data: G.data)
    }

    @Test func everyItemIsSentAtOnceAndTheStepWaitsForTheLastReply() throws {
        var saga = try scenario()
        let sent = saga.commands(for: "collect")
        #expect(sent.map(\.item) == [0, 1, 2])
        #expect(try sent.map { try $0.decode(G.Collect.self).friend } == ["ana", "ben", "cy"])
        let keys = sent.map { $0.message.headers.string(SagaHeaders.idempotencyKey) ?? "" }
        #expect(keys == (0..<3).map { "\(saga.state.sagaID):forward:collect:\($0)" })
        #expect(sent.map { $0.message.headers.string(SagaHeaders.item) } == ["0", "1", "2"])

        try saga.reply(to: "collect", item: 2, with: G.collected("r-cy"))
        try saga.reply(to: "collect", item: 0, with: G.collected("r-ana"))
        #expect(saga.currentStep == "collect")
        #expect(saga.awaitedItems == [1])
        #expect(saga.commands(for: "buyGift").isEmpty)

        try saga.reply(to: "collect", item: 1, with: G.collected("r-ben"))
        #expect(saga.currentStep == "buyGift")
        #expect(try saga.data.collected == ["ana": "r-ana", "ben": "r-ben", "cy": "r-cy"])
        #expect(saga.state.listProgress == nil)
        #expect(try saga.lastCommand(for: "buyGift", as: G.Buy.self).total == 60)

        try saga.reply(to: "buyGift", with: .succeeded)
        #expect(saga.commands(for: "thank").count == 3)
        try saga.replyToEveryItem(of: "thank", with: .succeeded)
        #expect(saga.status == .completed)
        #expect(saga.completedSteps == ["tellFailure", "collect", "buyGift", "thank"])
        #expect(saga.lifecycleKinds.filter { $0 == .stepCompleted }.count == 4)
    }

    @Test func aLimitHoldsItemsBackUntilEarlierOnesAnswer() throws {
        var saga = try scenario(limit: 2)
        #expect(saga.commands(for: "collect").map(\.item) == [0, 1])
        try saga.reply(to: "collect", item: 1, with: G.collected("r-ben"))
        #expect(saga.commands(for: "collect").map(\.item) == [0, 1, 2])
        #expect(saga.awaitedItems == [0, 2])
        try saga.replyToEveryItem(of: "collect", with: G.collected("r"))
        #expect(saga.currentStep == "buyGift")
    }

    @Test func aRefusedItemUndoesTheCollectedAndTheInFlightOnesInReverseAndTellsEveryone() throws {
        var saga = try scenario()
        try saga.reply(to: "collect", item: 0, with: G.collected("r-ana"))
        try saga.reply(to: "collect", item: 1, with: .businessFailure(reason: "INSUFFICIENT_FUNDS"))
        // Item 2 is still in flight: its outcome is unknown, so it is refunded too; item 1 was refused: nothing to undo.
        #expect(saga.status == .compensating)
        let refunds = saga.commands(for: "collect", phase: .compensation)
        #expect(refunds.map(\.item) == [2, 0])
        #expect(try refunds.map { try $0.decode(G.Refund.self).receipt } == [nil, "r-ana"])
        #expect(saga.attempts.filter { $0.phase == .compensation }.map(\.compensatesUncertainStep) == [true, false])
        #expect(saga.failureReason?.contains("item 1 of step 'collect' failed: INSUFFICIENT_FUNDS") == true)

        // The late success of item 2 changes nothing: the refund already covers it.
        try saga.reply(to: "collect", item: 2, with: .succeeded)
        #expect(saga.lastTransition?.ignored == nil)  // the answer to the refund of item 2, not the late collect
        try saga.reply(to: "collect", item: 0, with: .succeeded)
        #expect(saga.commands(for: "tellFailure").map(\.item) == [2, 1, 0])
        try saga.replyToEveryItem(of: "tellFailure", with: .succeeded)
        #expect(saga.status == .compensated)
        #expect(saga.compensations == ["collect", "tellFailure"])
        #expect(saga.attempts.filter { $0.phase == .compensation }.map(\.item) == [2, 0, 2, 1, 0])
        #expect(saga.commands(for: "buyGift").isEmpty)
    }

    @Test func anItemThatTimesOutIsRetriedAloneAndTheStepCompletes() throws {
        var saga = try scenario()
        try saga.reply(to: "collect", item: 0, with: G.collected("r-ana"))
        try saga.reply(to: "collect", item: 2, with: G.collected("r-cy"))
        try saga.advance(by: .seconds(5))  // item 1's reply timeout
        #expect(saga.state.deadlineKind == .retryBackoff)
        try saga.advance(by: .seconds(1))  // its backoff
        #expect(saga.commands(for: "collect", item: 1).map(\.attempt) == [1, 2])
        #expect(saga.commands(for: "collect", item: 0).count == 1)
        #expect(saga.lifecycle.last { $0.kind == .stepFailed }?.reason == "item 1: no reply within 5.0 seconds")
        try saga.reply(to: "collect", item: 1, with: G.collected("r-ben"))
        #expect(saga.currentStep == "buyGift")
    }

    @Test func anItemWhoseRetriesRunOutIsUndoneAsPossiblyDone() throws {
        var saga = try scenario()
        try saga.replyToEveryItem(of: "collect", with: .retriableFailure(reason: "wallet busy"))
        #expect(saga.state.deadlineKind == .retryBackoff)
        try saga.advance(by: .seconds(1))  // every item's backoff ends at the same time: all sent again
        #expect(saga.commands(for: "collect", phase: .forward).count == 6)
        try saga.reply(to: "collect", item: 0, with: G.collected("r-ana"))
        try saga.reply(to: "collect", item: 1, with: .retriableFailure(reason: "wallet busy"))  // its last attempt
        #expect(saga.status == .compensating)
        #expect(saga.commands(for: "collect", phase: .compensation).map(\.item) == [2, 1, 0])
    }

    @Test func aRedeliveredItemReplyIsIgnored() throws {
        var saga = try scenario()
        try saga.reply(to: "collect", item: 0, with: G.collected("r-ana"))
        let before = saga.sentCommands.count
        let again = try saga.redeliverLastReply()
        #expect(again.ignored == .lateReply)
        #expect(saga.sentCommands.count == before)
        #expect(saga.awaitedItems == [1, 2])
    }

    @Test func aSagaStoredBetweenItemsAndLoadedBackGoesOn() async throws {
        var saga = try scenario(limit: 2)
        try saga.reply(to: "collect", item: 0, with: G.collected("r-ana"))
        try saga.reply(to: "collect", item: 2, with: .retriableFailure(reason: "wallet busy"))  // item 2 backs off

        let directory = try TemporaryDirectory()
        let store = try SQLiteSagaStore(path: directory.file("orchestrator.sqlite"))
        _ = try await store.commit(SagaCommit(saga: .insert(saga.state), sagaID: saga.state.sagaID, history: saga.history))
        let loaded = try #require(try await store.load(sagaID: saga.state.sagaID))
        #expect(loaded.listProgress == saga.state.listProgress)
        #expect(try await store.history(sagaID: saga.state.sagaID) == saga.attempts)
        #expect(try await store.nextDeadline() == saga.state.deadline)

        var restarted = try saga.restarted(from: loaded)
        try restarted.reply(to: "collect", item: 1, with: G.collected("r-ben"))
        try restarted.advance(by: .seconds(1))
        #expect(restarted.commands(for: "collect", item: 2).map(\.attempt) == [1, 2])
        try restarted.reply(to: "collect", item: 2, with: G.collected("r-cy"))
        #expect(restarted.currentStep == "buyGift")
        #expect(try restarted.data.collected.count == 3)
    }

    @Test func anItemRefusedAfterThePivotParksTheSagaAndRetrySendsOnlyTheUnfinishedItems() throws {
        var saga = try scenario()
        try saga.replyToEveryItem(of: "collect", with: G.collected("r"))
        try saga.reply(to: "buyGift", with: .succeeded)
        try saga.reply(to: "thank", item: 0, with: .succeeded)
        try saga.reply(to: "thank", item: 1, with: .businessFailure(reason: "mailbox full"))
        #expect(saga.status == .failed)
        #expect(saga.failureReason?.contains("item 1 of step 'thank' after the pivot failed") == true)

        try saga.retry()
        #expect(saga.commands(for: "thank").map(\.item) == [0, 1, 2, 1, 2])
        try saga.replyToEveryItem(of: "thank", with: .succeeded)
        #expect(saga.status == .completed)
    }

    @Test func resolvingAParkedItemCompletesTheStep() throws {
        var saga = try scenario()
        try saga.replyToEveryItem(of: "collect", with: G.collected("r"))
        try saga.reply(to: "buyGift", with: .succeeded)
        try saga.reply(to: "thank", item: 2, with: .businessFailure(reason: "mailbox full"))
        try saga.replyToEveryItem(of: "thank", with: .succeeded)  // parked: these answers are not acted on
        #expect(saga.status == .failed)
        try saga.resolve(note: "thanked by phone")
        #expect(saga.status == .completed)
    }

    @Test func aRefundThatKeepsFailingParksAndRetryFinishesTheUndo() throws {
        var saga = try scenario()
        try saga.reply(to: "collect", item: 0, with: G.collected("r-ana"))
        try saga.reply(to: "collect", item: 1, with: G.collected("r-ben"))
        try saga.reply(to: "collect", item: 2, with: .businessFailure(reason: "FROZEN"))
        #expect(saga.commands(for: "collect", phase: .compensation).map(\.item) == [1, 0])
        try saga.reply(to: "collect", item: 1, with: .succeeded)
        try saga.reply(to: "collect", item: 0, with: .retriableFailure(reason: "down"))
        try saga.advance(by: .seconds(1))
        try saga.reply(to: "collect", item: 0, with: .retriableFailure(reason: "down"))
        #expect(saga.status == .failed)
        #expect(saga.failureReason?.contains("compensation of item 0 of step 'collect' failed") == true)
        try saga.retry()
        #expect(saga.commands(for: "collect", phase: .compensation, item: 0).map(\.attempt) == [1, 2, 1])
        try saga.reply(to: "collect", item: 0, with: .succeeded)
        try saga.replyToEveryItem(of: "tellFailure", with: .succeeded)
        #expect(saga.status == .compensated)
    }

    @Test func anEmptyListCompletesAtOnce() throws {
        var data = G.data
        data.friends = []
        let saga = try SagaScenario(G.definition(), data: data)
        #expect(saga.currentStep == "buyGift")
        #expect(saga.commands(for: "collect").isEmpty)
    }

    @Test func aListStepMustBeUndonePerItem() {
        #expect(throws: SagaDefinitionError.self) {
            try SagaDefinition<G.Data>(name: "bad", version: 1, replyTopic: "r") {
                SagaStep<G.Data>.compensatable("collect", topic: "t", forEach: \.friends) { _, friend, _ in G.Thank(friend: friend.name) }
                    .step.compensate(topic: "t") { _ in G.Thank(friend: "") }
            }
        }
    }
}
