import Avro

/// Changes parked sagas and reads the audit trail of such changes (the `orchestrator` role owns
/// the saga store): ``LocalSagaOperating`` in process, ``RemoteSagaOperating`` over HTTP to the
/// orchestrator role. Answers are JSON, so a forwarded answer passes through unchanged. Every
/// action is recorded in the audit trail, whatever its outcome, under ``APICaller/current``.
public protocol SagaOperating: Sendable {
    /// Asks parked saga `sagaID` to send its stuck request again: `{sagaId, action, outcome, state, audit}`.
    /// A saga that is not parked is a 409 `saga-not-parked`, an unknown one a 404.
    func retry(sagaID: String) async throws(Problem) -> JSONValue
    /// Declares parked saga `sagaID`'s stuck step done by hand, saying why in `note`; the saga goes on.
    func resolve(sagaID: String, note: String) async throws(Problem) -> JSONValue
    /// A page of the audit trail, newest first: `{entries, next}` (`next` is the cursor of the
    /// following page, null on the last).
    func auditTrail(_ page: AuditPageRequest) async throws(Problem) -> JSONValue
}

/// Which page of the audit trail to read.
public struct AuditPageRequest: Sendable, Hashable {
    /// The largest `limit`.
    public static let maximumLimit = 500
    /// The cursor of a previous answer's `next`, nil for the newest entries.
    public var cursor: String?
    /// Only entries about this target (a saga id).
    public var target: String?
    /// At most this many entries.
    public var limit: Int

    /// Creates a page request.
    public init(cursor: String? = nil, target: String? = nil, limit: Int = 50) {
        self.cursor = cursor
        self.target = target
        self.limit = limit
    }

    /// As query parameters (for forwarding).
    var query: [(String, String)] {
        (cursor.map { [("cursor", $0)] } ?? []) + (target.map { [("target", $0)] } ?? []) + [("limit", String(limit))]
    }
}
