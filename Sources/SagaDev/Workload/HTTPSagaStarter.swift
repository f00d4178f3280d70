import AsyncHTTPClient
import Avro
import Foundation
import NIOCore
import NIOHTTP1

/// Starts sagas through the HTTP API (`POST /orders`, `POST /transfers`) of a running system:
/// the `all` role of `sagactl dev`, or the `api` role of a multi-process topology. The request's
/// id is sent as its `Idempotency-Key`, so a retried request starts nothing new; the saga id is
/// the one the API answers with.
public struct HTTPSagaStarter: SagaStarting {
    /// The API's base URL (`http://127.0.0.1:8080`).
    public let baseURL: URL
    private let client: HTTPClient
    private let timeout: TimeAmount

    /// Sends requests to `baseURL` through `client`.
    public init(baseURL: URL, client: HTTPClient = .shared, timeout: Duration = .seconds(30)) {
        self.baseURL = baseURL
        self.client = client
        self.timeout = .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
    }

    /// The API refused or failed a request.
    public struct Refused: Error, CustomStringConvertible {
        /// `POST /orders` or `POST /transfers`.
        public var request: String
        /// The HTTP status.
        public var status: Int
        /// The response body (a problem document).
        public var body: String
        /// A readable description.
        public var description: String { "\(request) answered \(status): \(body)" }
    }

    public func placeOrder(_ order: WorkloadOrder) async throws -> UUID {
        let items: [JSONValue] = order.lines.map { line in
            .object([
                ("productId", .string(line.productID.uuidString.lowercased())), ("sku", .string(line.sku)),
                ("quantity", .integer(Int64(line.quantity))), ("unitPriceMinor", .integer(line.unitPriceMinor)),
            ])
        }
        let body = JSONValue.object([
            ("customerId", .string(order.customerID.uuidString.lowercased())), ("items", .array(items)),
            ("currency", .string(order.currency)), ("paymentToken", .string(order.paymentToken)),
        ])
        return try await post("/orders", body, key: order.orderID)
    }

    public func requestTransfer(_ transfer: WorkloadTransfer) async throws -> UUID {
        let body = JSONValue.object([
            ("payerVpa", .string(transfer.payer)), ("payeeVpa", .string(transfer.payee)),
            ("amountMinor", .integer(transfer.amountMinor)), ("currency", .string(transfer.currency)),
        ])
        return try await post("/transfers", body, key: transfer.transferID)
    }

    private func post(_ path: String, _ body: JSONValue, key: UUID) async throws -> UUID {
        var request = HTTPClientRequest(url: baseURL.absoluteString + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: key.uuidString.lowercased())
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
