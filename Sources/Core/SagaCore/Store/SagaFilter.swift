import Foundation

/// Which sagas to list: of one type, in some states, at a step, failed with a code, started in a
/// time range, with an id prefix; newest first, at most ``limit``, after a ``Cursor`` (keyset
/// paging: a page does not shift when sagas start meanwhile). Shared by `sagactl sagas` and `GET /sagas`.
public struct SagaFilter: Sendable, Hashable {
    /// The default ``limit``.
    public static let defaultLimit = 100

    /// Only sagas of this type (`order`, `transfer`, …); nil for every type.
    public var type: String?
    /// Only sagas in one of these states; empty for every state.
    public var states: [SagaStatus]
    /// Only sagas created at or after this time.
    public var since: Date?
    /// Only sagas created before this time.
    public var until: Date?
    /// Only sagas at this step: the name of the latest request in their current phase and step.
    public var step: String?
    /// Only sagas whose failure reason contains this text (a code such as `PAYMENT_DECLINED`).
    public var failureCode: String?
    /// Only sagas whose id starts with this (lower-case) text.
    public var idPrefix: String?
    /// Only sagas after this position of the order (the last saga of the previous page).
    public var after: Cursor?
    /// At most this many sagas (at least 1).
    public var limit: Int

    /// Creates a filter; a `limit` below 1 is raised to 1.
    public init(
        type: String? = nil, states: [SagaStatus] = [], since: Date? = nil, until: Date? = nil, step: String? = nil,
        failureCode: String? = nil, idPrefix: String? = nil, after: Cursor? = nil, limit: Int = SagaFilter.defaultLimit
    ) {
        self.type = type
        self.states = states
        self.since = since
        self.until = until
        self.step = step
        self.failureCode = failureCode
        self.idPrefix = idPrefix?.lowercased()
        self.after = after
        self.limit = max(1, limit)
    }

    /// A position in the newest-first order: a saga's creation time and id. Its ``token`` is the
    /// opaque text APIs hand out (`next`) and take back (`cursor`).
    public struct Cursor: Sendable, Hashable {
        /// The saga's creation time.
        public var createdAt: Date
        /// The saga's id.
        public var sagaID: String

        /// The position of `state`.
        public init(after state: SagaState) {
            createdAt = state.createdAt
            sagaID = state.sagaID
        }

        /// Reads a ``token``; nil when it is not one.
        public init?(token: String) {
            var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while base64.count % 4 != 0 { base64 += "=" }
            guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
            let parts = text.split(separator: "|", maxSplits: 1)
            guard parts.count == 2, let seconds = Double(parts[0]), seconds.isFinite, !parts[1].isEmpty else { return nil }
            createdAt = Date(timeIntervalSince1970: seconds)
            sagaID = String(parts[1])
        }

        /// The opaque text of this position (base64url).
        public var token: String {
            Data("\(createdAt.timeIntervalSince1970)|\(sagaID)".utf8).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
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

