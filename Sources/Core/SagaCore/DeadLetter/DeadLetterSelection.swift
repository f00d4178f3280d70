/// Which dead letters a replay acts on: the union of every selector given.
public struct DeadLetterSelection: Sendable, Hashable {
    /// `P:O` (or `O` when only one partition has that offset).
    public var offsets: [String]
    /// `message-id` header values.
    public var messageIDs: [String]
    /// `P:A-B` (or `A-B` over every partition), inclusive.
    public var ranges: [String]
    /// Group ids (``DeadLetterGroup/Key/id``).
    public var groups: [String]
    /// Every letter.
    public var all: Bool

    /// Creates a selection.
    public init(offsets: [String] = [], messageIDs: [String] = [], ranges: [String] = [], groups: [String] = [], all: Bool = false) {
        self.offsets = offsets
        self.messageIDs = messageIDs
        self.ranges = ranges
        self.groups = groups
        self.all = all
    }

    /// Whether no selector is given.
    public var isEmpty: Bool { offsets.isEmpty && messageIDs.isEmpty && ranges.isEmpty && groups.isEmpty && !all }

    /// The selected letters in DLQ order; a selector that matches nothing is an error.
    public func select<Letter: SelectableDeadLetter>(from letters: [Letter]) throws(DeadLetterSelectionError) -> [Letter] {
        guard !isEmpty else { throw .nothingSelected }
        if all { return letters }
        var chosen = Set<String>()
        func position(_ letter: Letter) -> String { "\(letter.partition):\(letter.offset)" }
        for text in offsets {
            let (partition, offset) = try Self.position(text)
            let matches = letters.filter { $0.offset == offset && (partition == nil || $0.partition == partition) }
            guard !matches.isEmpty else { throw .noMatch(selector: "offset", value: text, reason: "no such dead letter") }
            guard matches.count == 1 else { throw .ambiguousOffset(text) }
            chosen.formUnion(matches.map(position))
        }
        for id in messageIDs {
            let matches = letters.filter { $0.messageID == id }
            guard !matches.isEmpty else { throw .noMatch(selector: "message-id", value: id, reason: "no dead letter has it") }
            chosen.formUnion(matches.map(position))
        }
        for text in ranges {
            let (partition, bounds) = try Self.range(text)
            let matches = letters.filter { bounds.contains($0.offset) && (partition == nil || $0.partition == partition) }
            guard !matches.isEmpty else { throw .noMatch(selector: "range", value: text, reason: "no dead letters in it") }
            chosen.formUnion(matches.map(position))
        }
        for group in groups {
            let matches = letters.filter { $0.groupID == group }
            guard !matches.isEmpty else { throw .noMatch(selector: "group", value: group, reason: "no such group") }
            chosen.formUnion(matches.map(position))
        }
        return letters.filter { chosen.contains(position($0)) }
    }

    /// `OFFSET` or `PARTITION:OFFSET`.
    public static func position(_ text: String) throws(DeadLetterSelectionError) -> (Int32?, Int64) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 1, let offset = Int64(parts[0]), offset >= 0 { return (nil, offset) }
        if parts.count == 2, let partition = Int32(parts[0]), let offset = Int64(parts[1]), partition >= 0, offset >= 0 {
            return (partition, offset)
        }
        throw .malformed(selector: "offset", value: text, expected: "OFFSET or PARTITION:OFFSET")
    }

    /// `[PARTITION:]FIRST-LAST`.
    public static func range(_ text: String) throws(DeadLetterSelectionError) -> (Int32?, ClosedRange<Int64>) {
        var partition: Int32?
        var rest = Substring(text)
        if let colon = text.firstIndex(of: ":") {
            guard let value = Int32(text[..<colon]), value >= 0 else {
                throw .malformed(selector: "range", value: text, expected: "a partition number before ':'")
            }
            partition = value
            rest = text[text.index(after: colon)...]
        }
        let bounds = rest.split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 2, let low = Int64(bounds[0]), let high = Int64(bounds[1]), low >= 0, low <= high else {
            throw .malformed(selector: "range", value: text, expected: "[PARTITION:]FIRST-LAST")
        }
        return (partition, low...high)
    }
}

/// A ``DeadLetterSelection`` that selects nothing it could act on.
public enum DeadLetterSelectionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No selector was given.
    case nothingSelected
    /// A selector's value is not of its form.
    case malformed(selector: String, value: String, expected: String)
    /// A selector matched no letter.
    case noMatch(selector: String, value: String, reason: String)
    /// An offset without partition that several partitions have.
    case ambiguousOffset(String)

    /// The message (selectors named as sagactl's options).
    public var description: String {
        switch self {
        case .nothingSelected: "select letters: --offset, --message-id, --range, --group or --all"
        case .malformed(let selector, let value, let expected): "--\(selector) \(value): expected \(expected)"
        case .noMatch(let selector, let value, let reason): "--\(selector) \(value): \(reason)"
        case .ambiguousOffset(let value): "--offset \(value): several partitions have it; write PARTITION:OFFSET"
        }
    }
}

/// What a selection looks at: a letter's place in its DLQ topic, its `message-id` and its group.
public protocol SelectableDeadLetter {
    /// The partition within the DLQ topic.
    var partition: Int32 { get }
    /// The offset within that partition.
    var offset: Int64 { get }
    /// The `message-id` header.
    var messageID: String? { get }
    /// The group (``DeadLetterGroup/Key/id``).
    var groupID: String { get }
}

extension DeadLetter: SelectableDeadLetter {
    /// The partition within the DLQ topic.
    public var partition: Int32 { record.partition }
    /// The offset within that partition.
    public var offset: Int64 { record.offset }
    /// The group (``DeadLetterGroup/Key/id``).
    public var groupID: String { groupKey.id }
}
