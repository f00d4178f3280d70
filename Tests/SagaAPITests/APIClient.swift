import Avro
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SagaAPI
import Testing

/// A response read back as JSON, with what the tests look at.
struct JSONReply: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let json: JSONValue?
    let text: String

    init(_ response: TestResponse) {
        status = response.status
        headers = response.headers
        text = String(buffer: response.body)
        json = try? JSONValue(parsing: text)
    }

    /// The string member `key` of the body.
    func string(_ key: String) -> String? {
        if case .string(let value)? = json?[key] { value } else { nil }
    }

    /// The `field` names of a problem's `errors`.
    var fieldErrors: [String] {
        guard case .array(let items)? = json?["errors"] else { return [] }
        return items.compactMap { if case .string(let field)? = $0["field"] { field } else { nil } }
    }

    /// Whether this is an RFC 9457 problem with `status` (content type and members).
    func isProblem(_ status: HTTPResponse.Status, type kind: Problem.Kind? = nil) -> Bool {
        headers[.contentType] == Problem.contentType && self.status == status && json?["status"] == .integer(Int64(status.code))
            && string("title") != nil && string("detail") != nil && (kind.map { string("type") == $0.type } ?? (string("type") != nil))
    }
}

extension TestClientProtocol {
    /// `POST uri` with `body` (JSON text), optional idempotency key, and `token` as the bearer token (a producer's unless said).
    func post(_ uri: String, _ body: String, key: String? = nil, contentType: String? = "application/json",
              token: String? = TestTokens.producer) async throws -> JSONReply {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer " + token }
        if let contentType { headers[.contentType] = contentType }
        if let key { headers[IdempotencyKey.headerName] = key }
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body)) { JSONReply($0) }
    }

    /// `GET uri` with `token` as the bearer token (a viewer's unless said).
    func get(_ uri: String, token: String? = TestTokens.viewer) async throws -> JSONReply {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer " + token }
        return try await execute(uri: uri, method: .get, headers: headers) { JSONReply($0) }
    }
}

/// JSON text of an order body.
func orderBody(customer: UUID = UUID(), product: UUID, sku: String = "WIDGET", quantity: Int = 1, price: Int = 1_000,
               currency: String = "INR", token: String = "tok_visa") -> String {
    """
    {"customerId":"\(customer.uuidString)","items":[{"productId":"\(product.uuidString)","sku":"\(sku)","quantity":\(quantity),\
    "unitPriceMinor":\(price)}],"currency":"\(currency)","paymentToken":"\(token)"}
    """
}

/// JSON text of a transfer body.
func transferBody(from payer: String, to payee: String, amount: Int, currency: String = "INR") -> String {
    #"{"payerVpa":"\#(payer)","payeeVpa":"\#(payee)","amountMinor":\#(amount),"currency":"\#(currency)","note":"api test"}"#
}

/// An application on any free local port.
func application(_ router: Router<BasicRequestContext>) -> Application<RouterResponder<BasicRequestContext>> {
    Application(router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)))
}
