import Foundation
import Avro
import SagaCore
import SagaSQLite

/// Places orders (the `order` role owns the orders database): ``LocalOrderPlacing`` in process,
/// ``RemoteOrderPlacing`` over HTTP to the order role.
public protocol OrderPlacing: Sendable {
    /// Places `order`; with a key, under the order id derived from it, and a repeat of the key
    /// returns the same id with `created == false`. `trace` goes on the start event.
    func placeOrder(_ order: PlaceOrderRequest, idempotencyKey: IdempotencyKey?, trace: TraceContext) async throws(Problem) -> SagaAcceptance
}

/// Starts UPI transfers by publishing `TransferRequested`: ``KafkaTransferRequester``.
public protocol TransferRequesting: Sendable {
    /// Requests `transfer`; with a key, under the transfer id derived from it, and a repeat of the
    /// key returns the same id with `created == false`. `trace` goes on the start event.
    func requestTransfer(_ transfer: TransferRequest, idempotencyKey: IdempotencyKey?, trace: TraceContext) async throws(Problem) -> SagaAcceptance
}

/// Starts bill settlements by publishing `BillSettlementRequested`: ``KafkaBillSettler``.
public protocol BillSettling: Sendable {
    /// Settles bill `billID` (also the saga id and the idempotency key: a repeat with the same body
    /// returns it with `created == false`, another body is refused). `trace` goes on the start event.
    func settle(billID: UUID, _ bill: BillSettlementRequest, trace: TraceContext) async throws(Problem) -> SagaAcceptance
}

/// Reads sagas (the `orchestrator` role owns the saga store): ``LocalSagaQuerying`` in process,
/// ``RemoteSagaQuerying`` over HTTP to the orchestrator role. Sagas are returned as their JSON
/// reports (``SagaReport/json(data:)``), so a forwarded answer passes through unchanged.
public protocol SagaQuerying: Sendable {
    /// The report of saga `id`, or nil when there is none.
    func saga(id: String) async throws(Problem) -> JSONValue?
    /// A page of the reports `filter` selects, newest first: `{sagas, count, next}` (`next`, the
    /// cursor of the following page, is null on the last).
    func sagas(matching filter: SagaFilter) async throws(Problem) -> JSONValue
    /// How many sagas there are: `{total, byState: {state: n}, byType: {type: {state: n}}}`.
    func counts() async throws(Problem) -> JSONValue
    /// The timeline of saga `id` (``SagaTimeline/json(payloads:)``: every command, reply, timer,
    /// lifecycle event and operator action, payloads decoded), or nil when there is no such saga.
    func timeline(id: String) async throws(Problem) -> JSONValue?
}
