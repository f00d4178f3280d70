import Foundation

/// Which sagas to list: of one type, in some states, started at or after a time; newest first,
/// at most ``limit``. Shared by `sagactl sagas` and `GET /sagas`.
public struct SagaFilter: Sendable, Hashable {
    /// The default ``limit``.
    public static let defaultLimit = 100

    /// Only sagas of this type (`order`, `transfer`, …); nil for every type.
    public var type: String?
    /// Only sagas in one of these states; empty for every state.
    public var states: [SagaStatus]
    /// Only sagas created at or after this time.
    public var since: Date?
    /// At most this many sagas (at least 1).
    public var limit: Int

    /// Creates a filter; a `limit` below 1 is raised to 1.
    public init(type: String? = nil, states: [SagaStatus] = [], since: Date? = nil, limit: Int = SagaFilter.defaultLimit) {
        self.type = type
        self.states = states
        self.since = since
        self.limit = max(1, limit)
    }

    /// Parses state names, each a single name or a comma-separated list (`running,failed`).
    public static func states(_ texts: [String]) throws(SagaFilterError) -> [SagaStatus] {
        var states: [SagaStatus] = []
        for text in texts {
            for name in text.split(separator: ",", omittingEmptySubsequences: true) {
                let trimmed = name.trimmingCharacters(in: .whitespaces)
                guard let state = SagaStatus(rawValue: trimmed) else { throw .unknownState(trimmed) }
                if !states.contains(state) { states.append(state) }
            }
        }
        return states
    }

    /// Parses a time: ISO 8601 (`2026-11-21T06:00:00Z`, fractional seconds allowed) or an age
    /// before `now` (`90s`, `30m`, `2h`, `7d`).
    public static func time(_ text: String, now: Date) throws(SagaFilterError) -> Date {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        if let unit = text.last, let seconds = units[unit], let amount = Double(text.dropLast()), amount >= 0, amount.isFinite {
            return now.addingTimeInterval(-amount * seconds)
        }
        for style in [Date.ISO8601FormatStyle(includingFractionalSeconds: true), Date.ISO8601FormatStyle()] {
            if let date = try? style.parse(text) { return date }
        }
        throw .invalidTime(text)
    }
}

/// A filter argument could not be read.
public enum SagaFilterError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not one of ``SagaStatus``'s names.
    case unknownState(String)
    /// Neither ISO 8601 nor an age.
    case invalidTime(String)

    /// A readable description.
    public var description: String {
        switch self {
        case .unknownState(let text):
            "\(text): not a saga state (expected one of \(SagaStatus.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .invalidTime(let text):
            "\(text): not a time (ISO 8601 like 2026-11-21T06:00:00Z) or an age (90s, 30m, 2h, 7d)"
        }
    }
}

