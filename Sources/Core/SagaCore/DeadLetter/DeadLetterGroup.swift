/// Dead letters with one cause: the same original topic, error kind and error message pattern.
public struct DeadLetterGroup: Sendable {
    /// What the letters of a group share.
    public struct Key: Hashable, Sendable {
        /// The topic the letters were consumed from.
        public var originalTopic: String
        /// Their error kind.
        public var errorKind: String
        /// Their error message's pattern (``pattern(of:)``).
        public var errorMessage: String

        /// Creates a key.
        public init(originalTopic: String, errorKind: String, errorMessage: String) {
            self.originalTopic = originalTopic
            self.errorKind = errorKind
            self.errorMessage = errorMessage
        }

        /// `message` with what differs from letter to letter for one cause — record positions
        /// (`topic/1@42`), UUIDs, and numbers of 4 or more digits — replaced by placeholders, so
        /// that letters of one cause fall into one group.
        public static func pattern(of message: String) -> String {
            message
                .replacing(/[A-Za-z0-9._-]+\/\d+@\d+/, with: { match in
                    let text = String(match.output)
                    return String(text[..<(text.lastIndex(of: "/") ?? text.endIndex)]) + "/<partition>@<offset>"
                })
                .replacing(/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/, with: "<id>")
                .replacing(/\b\d{4,}\b/, with: "<n>")
        }

        /// A short stable, URL-safe id (FNV-1a of the three parts, 8 hex digits).
        public var id: String {
            var hash: UInt32 = 2_166_136_261
            for byte in "\(originalTopic)\u{0}\(errorKind)\u{0}\(errorMessage)".utf8 {
                hash = (hash ^ UInt32(byte)) &* 16_777_619
            }
            let hex = String(hash, radix: 16)
            return String(repeating: "0", count: 8 - hex.count) + hex
        }
    }

    /// What the letters share.
    public let key: Key
    /// The letters, in DLQ order.
    public let letters: [DeadLetter]

    /// Creates a group.
    public init(key: Key, letters: [DeadLetter]) {
        self.key = key
        self.letters = letters
    }

    /// Groups `letters`, largest group first.
    public static func grouping(_ letters: [DeadLetter]) -> [DeadLetterGroup] {
        var order: [Key] = []
        var members: [Key: [DeadLetter]] = [:]
        for letter in letters {
            let key = letter.groupKey
            if members[key] == nil { order.append(key) }
            members[key, default: []].append(letter)
        }
        return order.map { DeadLetterGroup(key: $0, letters: members[$0] ?? []) }
            .sorted { $0.letters.count > $1.letters.count }
    }
}
