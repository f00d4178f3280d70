import Foundation

/// What a store keeps of a finished saga once the retention of finished sagas removed its
/// instance, step history and timeline (``SagaStore/purgeFinished(startedBefore:limit:)``): enough
/// to refuse a second start of the same saga id and to tell how it ended.
public struct SagaTombstone: Sendable, Hashable {
    /// The saga id.
    public var sagaID: String
    /// Its saga type.
    public var sagaType: String
    /// How it ended: ``SagaStatus/completed`` or ``SagaStatus/compensated``.
    public var status: SagaStatus
    /// When it started.
    public var startedAt: Date
    /// When it ended (its last change).
    public var endedAt: Date
    /// When its details were removed.
    public var removedAt: Date

    /// Creates a tombstone.
    public init(sagaID: String, sagaType: String, status: SagaStatus, startedAt: Date, endedAt: Date, removedAt: Date) {
        self.sagaID = sagaID
        self.sagaType = sagaType
        self.status = status
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.removedAt = removedAt
    }
}
