import Testing

import SagaCore

/// `dlq summary` groups letters of one cause even when their messages name different records.
@Suite struct DeadLetterGroupingTests {
    @Test func positionsIdsAndLongNumbersBecomePlaceholders() {
        #expect(DeadLetterGroup.Key.pattern(of: "message account.commands/1@0: missing header 'message-id'")
            == "message account.commands/<partition>@<offset>: missing header 'message-id'")
        #expect(DeadLetterGroup.Key.pattern(of: "message s1.account.commands/12@40411: missing header 'message-id'")
            == "message s1.account.commands/<partition>@<offset>: missing header 'message-id'")
        #expect(DeadLetterGroup.Key.pattern(of: "transfer 448701cb-a0c2-822d-9ef7-2bcf2d900dab: ledger timed out after 30000 ms")
            == "transfer <id>: ledger timed out after <n> ms")
        // Short numbers are part of the cause (codes, limits), not of the record.
        #expect(DeadLetterGroup.Key.pattern(of: "HTTP 503 from gateway") == "HTTP 503 from gateway")
    }

    @Test func lettersOfOneCauseShareAKeyAndOtherCausesDoNot() {
        func key(_ message: String, topic: String = "account.commands") -> DeadLetterGroup.Key {
            DeadLetterGroup.Key(originalTopic: topic, errorKind: "undecodable", errorMessage: DeadLetterGroup.Key.pattern(of: message))
        }
        #expect(key("message account.commands/1@0: missing header 'message-id'").id
            == key("message account.commands/2@7: missing header 'message-id'").id)
        #expect(key("message account.commands/1@0: missing header 'message-id'").id
            != key("message account.commands/1@0: missing header 'saga-id'").id)
        #expect(key("x", topic: "a").id != key("x", topic: "b").id)
    }
}
