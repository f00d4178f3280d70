import Foundation
import SagaCore
import SagaTestSupport
import Testing

@Suite struct SagaDefinitionTests {
    private func step(_ name: String, _ kind: StepKind, compensated: Bool = false) -> SagaStep<OrderData> {
        var s: SagaStep<OrderData> =
            switch kind {
            case .compensatable: .compensatable(name, topic: "t", command: Fixtures.command(name))
            case .pivot: .pivot(name, topic: "t", command: Fixtures.command(name))
            case .retriable: .retriable(name, topic: "t", command: Fixtures.command(name))
            }
        if compensated { s = s.compensate(topic: "t", command: Fixtures.command("undo-" + name)) }
        return s
    }

    @Test func validDefinitionKeepsStepOrderAndKinds() throws {
        let definition = try Fixtures.orderSaga()
        #expect(definition.stepNames == Fixtures.stepNames)
        #expect(definition.steps.map(\.kind) == [.compensatable, .compensatable, .pivot, .retriable])
        #expect(definition.steps[0].timeout == .seconds(5))
        #expect(definition.steps[0].compensation?.topic == "inventory.commands")
        #expect(definition.steps[3].retry.maxAttempts == 4)
    }

    @Test func rejectsInvalidShapes() {
        #expect(throws: SagaDefinitionError.noSteps(saga: "s")) {
            try SagaDefinition<OrderData>(name: "s", version: 1, replyTopic: "r") {}
        }
        #expect(throws: SagaDefinitionError.invalidVersion(saga: "s", version: 0)) {
            try SagaDefinition<OrderData>(name: "s", version: 0, replyTopic: "r") { step("a", .pivot) }
        }
        #expect(throws: SagaDefinitionError.duplicateStepName(saga: "s", step: "a")) {
            try SagaDefinition<OrderData>(name: "s", version: 1, replyTopic: "r") {
                step("a", .compensatable, compensated: true)
                step("a", .pivot)
            }
        }
        #expect(throws: SagaDefinitionError.multiplePivots(saga: "s", steps: ["a", "b"])) {
            try SagaDefinition<OrderData>(name: "s", version: 1, replyTopic: "r") {
                step("a", .pivot)
                step("b", .pivot)
            }
        }
        #expect(throws: SagaDefinitionError.compensatableAfterPivot(saga: "s", step: "b")) {
            try SagaDefinition<OrderData>(name: "s", version: 1, replyTopic: "r") {
                step("a", .pivot)
                step("b", .compensatable, compensated: true)
            }
        }
        #expect(throws: SagaDefinitionError.compensatableAfterPivot(saga: "s", step: "b")) {
            try SagaDefinition<OrderData>(name: "s", version: 1, replyTopic: "r") {
                step("a", .retriable)
                step("b", .compensatable, compensated: true)
            }
        }
        #expect(throws: SagaDefinitionError.missingCompensation(saga: "s", step: "a")) {
            try SagaDefinition<OrderData>(name: "s", version: 1, replyTopic: "r") { step("a", .compensatable) }
        }
        #expect(throws: SagaDefinitionError.unexpectedCompensation(saga: "s", step: "a")) {
            try SagaDefinition<OrderData>(name: "s", version: 1, replyTopic: "r") { step("a", .pivot, compensated: true) }
        }
    }

    @Test func builderSupportsConditionalsAndLoops() throws {
        let withFraudCheck = true
        let definition = try SagaDefinition<OrderData>(name: "s", version: 1, replyTopic: "r") {
            if withFraudCheck { step("fraud", .compensatable, compensated: true) }
            for i in 0..<2 { step("hold-\(i)", .compensatable, compensated: true) }
            step("pay", .pivot)
        }
        #expect(definition.stepNames == ["fraud", "hold-0", "hold-1", "pay"])
    }

    @Test func registryStartsLatestAndKeepsOldVersions() throws {
        let v1 = try Fixtures.orderSaga(version: 1)
        let v2 = try Fixtures.orderSaga(version: 2)
        var registry = try SagaRegistry(definitions: [v1])
        try registry.register(v2)
        #expect(registry.latest("order")?.version == 2)
        #expect(registry.definition("order", version: 1)?.version == 1)
        #expect(registry.definition("order", version: 3) == nil)
        #expect(registry.latest("payment") == nil)
        #expect(registry.replyTopics == [Fixtures.replyTopic])
        #expect(throws: SagaRegistryError.duplicate(sagaType: "order", version: 2)) { try registry.register(v2) }
    }
}

@Suite struct RetryPolicyTests {
    @Test func delaysGrowExponentiallyUpToTheCap() {
        let policy = RetryPolicy.exponential(maxAttempts: 10, initial: .milliseconds(100), multiplier: 2, max: .seconds(1), jitter: 0)
        let delays = (1...6).map { policy.delay(afterAttempt: $0, random: 0.9) }
        #expect(delays == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)])
    }

    @Test func jitterStaysWithinItsFraction() {
        let policy = RetryPolicy.exponential(maxAttempts: 5, initial: .seconds(1), multiplier: 2, max: .seconds(60), jitter: 0.5)
        #expect(policy.delay(afterAttempt: 2, random: 0) == .seconds(1))
        #expect(policy.delay(afterAttempt: 2, random: 0.5) == .milliseconds(1500))
        #expect(policy.delay(afterAttempt: 2, random: 1) == .seconds(2))
        let full = RetryPolicy.exponential(maxAttempts: 5, initial: .seconds(1), jitter: 1)
        for _ in 0..<100 {
            let d = full.delay(afterAttempt: 1, random: Double.random(in: 0..<1))
            #expect(d >= .zero && d <= .seconds(1))
        }
    }

    @Test func countsAttemptsAndClampsArguments() {
        let policy = RetryPolicy(maxAttempts: 3)
        #expect(policy.allowsRetry(after: 1) && policy.allowsRetry(after: 2))
        #expect(!policy.allowsRetry(after: 3))
        #expect(!RetryPolicy.none.allowsRetry(after: 1))
        let clamped = RetryPolicy(maxAttempts: 0, initialBackoff: .seconds(-1), multiplier: 0.5, jitter: 7)
        #expect(clamped.maxAttempts == 1 && clamped.initialBackoff == .zero && clamped.multiplier == 1 && clamped.jitter == 1)
    }
}
