/// Which dead letters `dlq replay` acts on: the union of every selector given.
struct DeadLetterSelection: Sendable {
    /// `P:O` (or `O` when only one partition has that offset).
    var offsets: [String] = []
    /// `message-id` header values.
    var messageIDs: [String] = []
    /// `P:A-B` (or `A-B` over every partition), inclusive.
    var ranges: [String] = []
    /// Group ids from `dlq summary`.
    var groups: [String] = []
    /// Every letter.
    var all = false

    var isEmpty: Bool { offsets.isEmpty && messageIDs.isEmpty && ranges.isEmpty && groups.isEmpty && !all }

    /// The selected letters in DLQ order; a selector that matches nothing is an error.
    func select(from letters: [DeadLetter]) throws -> [DeadLetter] {
        guard !isEmpty else {
            throw CLIError.input("select letters: --offset, --message-id, --range, --group or --all")
        }
        if all { return letters }
        var chosen = Set<String>()
        for text in offsets {
            let (partition, offset) = try Self.position(text)
            let matches = letters.filter { $0.record.offset == offset && (partition == nil || $0.record.partition == partition) }
            guard !matches.isEmpty else { throw CLIError.input("--offset \(text): no such dead letter") }
            guard matches.count == 1 else { throw CLIError.input("--offset \(text): several partitions have it; write PARTITION:OFFSET") }
            chosen.formUnion(matches.map(\.position))
        }
        for id in messageIDs {
            let matches = letters.filter { $0.messageID == id }
            guard !matches.isEmpty else { throw CLIError.input("--message-id \(id): no dead letter has it") }
            chosen.formUnion(matches.map(\.position))
        }
        for text in ranges {
            let (partition, bounds) = try Self.range(text)
            let matches = letters.filter { bounds.contains($0.record.offset) && (partition == nil || $0.record.partition == partition) }
            guard !matches.isEmpty else { throw CLIError.input("--range \(text): no dead letters in it") }
            chosen.formUnion(matches.map(\.position))
        }
        for group in groups {
            let matches = letters.filter { $0.groupKey.id == group }
            guard !matches.isEmpty else { throw CLIError.input("--group \(group): no such group (see dlq summary)") }
            chosen.formUnion(matches.map(\.position))
        }
        return letters.filter { chosen.contains($0.position) }
    }

    static func position(_ text: String) throws -> (Int32?, Int64) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 1, let offset = Int64(parts[0]), offset >= 0 { return (nil, offset) }
        if parts.count == 2, let partition = Int32(parts[0]), let offset = Int64(parts[1]), partition >= 0, offset >= 0 {
            return (partition, offset)
        }
        throw CLIError.input("\(text): expected OFFSET or PARTITION:OFFSET")
    }

    static func range(_ text: String) throws -> (Int32?, ClosedRange<Int64>) {
        var partition: Int32?
        var rest = Substring(text)
        if let colon = text.firstIndex(of: ":") {
            guard let value = Int32(text[..<colon]), value >= 0 else { throw CLIError.input("--range \(text): bad partition") }
            partition = value
            rest = text[text.index(after: colon)...]
        }
        let bounds = rest.split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 2, let low = Int64(bounds[0]), let high = Int64(bounds[1]), low >= 0, low <= high else {
            throw CLIError.input("--range \(text): expected [PARTITION:]FIRST-LAST")
        }
        return (partition, low...high)
    }
}
