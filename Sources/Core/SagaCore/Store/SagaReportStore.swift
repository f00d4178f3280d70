/// A store operators read sagas from (`sagactl sagas`, `sagactl status`, `GET /sagas`): by
/// ``SagaFilter``, newest first, with their step history or their timeline; and the operators' audit trail.
public protocol SagaReportStore: SagaStore, AuditTrail {
    /// The sagas `filter` selects, newest first (by creation time, then id).
    func sagas(matching filter: SagaFilter) async throws(SagaStoreError) -> [SagaState]
    /// The sagas `filter` selects, newest first, each with its step history (read together).
    func reports(matching filter: SagaFilter) async throws(SagaStoreError) -> [SagaReport]
    /// The saga `sagaID` with its step history, or nil when there is none.
    func report(sagaID: String) async throws(SagaStoreError) -> SagaReport?
    /// The timeline of saga `sagaID`: its state, the messages kept for it and the operators'
    /// actions on it, read together (``SagaTimeline/init(state:messages:audit:)``); nil when there is no such saga.
    func timeline(sagaID: String) async throws(SagaStoreError) -> SagaTimeline?
    /// The number of sagas of each type in each state.
    func counts() async throws(SagaStoreError) -> [(type: String, status: SagaStatus, count: Int)]
}
