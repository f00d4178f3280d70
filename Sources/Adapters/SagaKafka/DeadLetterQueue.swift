import Foundation
import Kafka
import Logging
import SagaCore

/// Reads dead letters and what became of their replays from Kafka alone, without joining a
/// consumer group or committing anything, so it needs no service's store:
///
/// - the letters of a `.dlq` topic (``letters(of:)``), read to the end it had when reading started;
/// - the replays of a topic's letters (``replays(of:)``): the records of the original topic that
///   carry a `saga-replay-id` header. A replay is ``DeadLetterReplay/Outcome/deadLetteredAgain``
///   when a record of the DLQ carries its replay id, ``DeadLetterReplay/Outcome/succeeded`` when
///   the consuming group's committed offset is past it, else ``DeadLetterReplay/Outcome/pending``.
///   A replay goes to its letter's original partition, after the original record; so the original
///   topic is read only from there (per partition, after the oldest original of a letter the DLQ
///   holds), not from the start of its retention.
public struct DeadLetterQueue: Sendable {
    /// Reads the topics.
    public var reader: KafkaTopicReader
    /// The deadline of each read (reaching a topic's end, a group's committed offsets).
    public var timeout: Duration

    /// Reads through `configuration`, each read failing after `timeout`.
    public init(configuration: KafkaConfiguration, timeout: Duration = .seconds(30), logger: Logger = Logger(label: "saga.dlq")) {
        self.reader = KafkaTopicReader(configuration: configuration, logger: logger)
        self.timeout = timeout
    }

    /// Every dead letter of `dlqTopic`, in partition and offset order.
    ///
    /// - Throws: ``KafkaError`` (the end not reached in time names each unfinished partition; never a partial list).
    public func letters(of dlqTopic: String) async throws(KafkaError) -> [DeadLetter] {
        try await reader.readToEnd(dlqTopic, timeout: timeout).map { DeadLetter(InboundMessage($0)) }
    }

    /// The replays on `sourceTopic` of the letters its DLQ holds, in partition and offset order,
    /// each with its outcome. Reads `sourceTopic` only after each partition's oldest original
    /// record of a letter (``replayStarts(of:in:)``); with no letter there is nothing to read.
    public func replays(of sourceTopic: String) async throws(KafkaError) -> [DeadLetterReplay] {
        let dlqTopic = DeadLetterRecord.topic(for: sourceTopic)
        let held = try await letters(of: dlqTopic)
        let starts = Self.replayStarts(of: held, in: sourceTopic)
        guard !starts.isEmpty else { return [] }
        let records = try await reader.readToEnd(sourceTopic, from: starts, timeout: timeout)
            .map { InboundMessage($0) }.filter { $0.headers.string(DeadLetterHeaders.replayID) != nil }
        guard !records.isEmpty else { return [] }
        var lettersByID: [String: DeadLetter] = [:]
        for letter in held where lettersByID[letter.id] == nil { lettersByID[letter.id] = letter }
        // Committed offsets first, the DLQ read again after: a record dead-lettered again reaches
        // the DLQ before its group commits past it, so it is never taken for a success.
        var committed: [String: [Int32: Int64]] = [:]
        for group in Set(lettersByID.values.compactMap(\.consumerGroup)) {
            committed[group] = try await reader.committedOffsets(group: group, topic: sourceTopic, timeout: timeout)
        }
        let again = try await letters(of: dlqTopic)
        let deadLetteredAgain = Set(again.compactMap(\.replayOf))
        var replays: [DeadLetterReplay] = []
        for record in records {
            guard let replayID = record.headers.string(DeadLetterHeaders.replayID) else { continue }
            let letterID = record.headers.string(DeadLetterHeaders.replayOf)
            var outcome = DeadLetterReplay.Outcome.pending
            if deadLetteredAgain.contains(replayID) {
                outcome = .deadLetteredAgain
            } else if let group = letterID.flatMap({ lettersByID[$0] })?.consumerGroup,
                let next = committed[group]?[record.partition], next > record.offset {
                outcome = .succeeded
            }
            replays.append(DeadLetterReplay(
                replayID: replayID, letterID: letterID, actor: record.headers.string(DeadLetterHeaders.replayBy),
                at: record.timestampMilliseconds.map { Date(timeIntervalSince1970: Double($0) / 1000) },
                partition: record.partition, offset: record.offset, outcome: outcome))
        }
        return replays
    }

    /// Where the replays of `letters` can be on `sourceTopic`, by partition: right after the
    /// oldest original record of a letter from that partition (a replay is published to its
    /// letter's original partition, so it lands after the original). Letters from other topics,
    /// or without origin headers, have no replays there.
    static func replayStarts(of letters: [DeadLetter], in sourceTopic: String) -> [Int32: Int64] {
        var starts: [Int32: Int64] = [:]
        for letter in letters {
            guard let origin = letter.origin, origin.topic == sourceTopic else { continue }
            starts[origin.partition] = min(starts[origin.partition] ?? .max, origin.offset + 1)
        }
        return starts
    }
}

/// A replayed dead letter on its original topic, and what became of it.
public struct DeadLetterReplay: Sendable, Hashable {
    /// What became of a replay.
    public enum Outcome: String, Sendable, Hashable, CaseIterable {
        /// Published; its consumer has not yet got past it.
        case pending
        /// Its consumer's group committed past it without dead-lettering it again.
        case succeeded
        /// It failed again: the DLQ holds a record with its replay id.
        case deadLetteredAgain
        /// It could not be published.
        case notPublished
    }

    /// The replay's id (`saga-replay-id`).
    public var replayID: String
    /// The replayed letter's id (`saga-replay-of`), when the replay says.
    public var letterID: String?
    /// Who asked for it (`saga-replay-by`), when the replay says.
    public var actor: String?
    /// When it was published.
    public var at: Date?
    /// Its partition on the original topic.
    public var partition: Int32
    /// Its offset there.
    public var offset: Int64
    /// What became of it.
    public var outcome: Outcome

    /// Creates a replay.
    public init(replayID: String, letterID: String?, actor: String?, at: Date?, partition: Int32, offset: Int64, outcome: Outcome) {
        self.replayID = replayID
        self.letterID = letterID
        self.actor = actor
        self.at = at
        self.partition = partition
        self.offset = offset
        self.outcome = outcome
    }
}
