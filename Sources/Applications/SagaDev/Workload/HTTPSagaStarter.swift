import AccountService
import AsyncHTTPClient
import Avro
import Foundation
import NIOCore
import NIOHTTP1
import SagaAPI

/// Starts sagas through the HTTP API (`POST /orders`, `POST /transfers`,
/// `POST /bills/{billId}/settlement`) of a running system: the `all` role of `sagactl dev`, or
/// the `api` role of a multi-process topology. The request's id is sent as its `Idempotency-Key`
/// (a bill's id is its own key), so a retried request starts nothing new; the saga id is the one
/// the API answers with.
public struct HTTPSagaStarter: SagaStarting {
    /// The API's base URL (`http://127.0.0.1:8080`).
    public let baseURL: URL
    private let client: HTTPClient
    private let timeout: TimeAmount
    private let token: String?

    /// Sends requests to `baseURL` through `client`, with `token` (a `producer` token) as the bearer token.
    public init(baseURL: URL, token: String?, client: HTTPClient = .shared, timeout: Duration = .seconds(30)) {
        self.baseURL = baseURL
        self.token = token
        self.client = client
        self.timeout = .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
    }

    /// The API refused or failed a request.
    public struct Refused: Error, CustomStringConvertible {
        /// `POST /orders`, `POST /transfers`, `POST /bills/…/settlement`.
        public var request: String
        /// The HTTP status.
        public var status: Int
        /// The response body (a problem document).
        public var body: String
        /// A readable description.
        public var description: String { "\(request) answered \(status): \(body)" }
    }

    /// A workload transfer names a VPA the API would refuse; nothing was sent.
    public struct InvalidVPA: Error, CustomStringConvertible {
        /// The text given.
        public var text: String
        /// A readable description.
        public var description: String { "not a valid VPA (name@bank): \(text)" }
    }

    public func placeOrder(_ order: WorkloadOrder) async throws -> UUID {
        let body = PlaceOrderRequest(customerID: order.customerID, lines: order.lines, currency: order.currency,
            paymentToken: order.paymentToken)
        return try await post("/orders", body.json, key: order.orderID)
    }

    public func requestTransfer(_ transfer: WorkloadTransfer) async throws -> UUID {
        guard let payer = VPA(transfer.payer) else { throw InvalidVPA(text: transfer.payer) }
        guard let payee = VPA(transfer.payee) else { throw InvalidVPA(text: transfer.payee) }
        let body = TransferRequest(payer: payer, payee: payee, amountMinor: transfer.amountMinor, currency: transfer.currency)
        return try await post("/transfers", body.json, key: transfer.transferID)
    }

    public func settleBill(_ bill: WorkloadBill) async throws -> UUID {
        guard let owner = VPA(bill.owner) else { throw InvalidVPA(text: bill.owner) }
        var shares: [BillSettlementRequest.Share] = []
        for share in bill.shares {
            guard let payer = VPA(share.payer) else { throw InvalidVPA(text: share.payer) }
            shares.append(BillSettlementRequest.Share(payer: payer, amountMinor: share.amountMinor))
        }
        let body = BillSettlementRequest(owner: owner, currency: bill.currency, shares: shares)
        return try await post("/bills/\(bill.billID.uuidString.lowercased())/settlement", body.json, key: nil)
    }

    private func post(_ path: String, _ body: JSONValue, key: UUID?) async throws -> UUID {
        var request = HTTPClientRequest(url: baseURL.absoluteString + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let key { request.headers.add(name: "Idempotency-Key", value: key.uuidString.lowercased()) }
        if let token { request.headers.add(name: "Authorization", value: "Bearer " + token) }
        request.body = .bytes(ByteBuffer(string: body.serialized))
        let response = try await client.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let text = String(buffer: bytes)
        guard response.status == .accepted || response.status == .ok, case .string(let id)? = (try? JSONValue(parsing: text))?["sagaId"],
            let sagaID = UUID(uuidString: id)
        else { throw Refused(request: "POST \(path)", status: Int(response.status.code), body: text) }
        return sagaID
    }
}
