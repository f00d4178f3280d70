import Avro
import Foundation
import OrderService

/// The body of `POST /orders`: who orders what, in which currency, paid with which card token.
public struct PlaceOrderRequest: Sendable, Hashable {
    /// The most lines an order may have.
    public static let maximumLines = 100

    /// The customer.
    public var customerID: UUID
    /// The lines (at least one).
    public var lines: [OrderLine]
    /// ISO 4217 currency (`INR`).
    public var currency: String
    /// The card token the payment is authorized with.
    public var paymentToken: String

    /// Creates a request.
    public init(customerID: UUID, lines: [OrderLine], currency: String, paymentToken: String) {
        self.customerID = customerID
        self.lines = lines
        self.currency = currency
        self.paymentToken = paymentToken
    }

    /// Reads and validates a body: every missing, mistyped or invalid field is named in the
    /// thrown 400 ``Problem`` (`items[1].quantity`).
    public init(json: JSONValue) throws(Problem) {
        var reader = FieldReader()
        guard let body = reader.object(json, at: "", allowed: ["customerId", "items", "currency", "paymentToken"]) else {
            try reader.check()
            throw Problem.invalid([FieldError(field: "body", message: "must be an object")])
        }
        let customerID = reader.uuid(body, "customerId", at: "")
        let currency = reader.currency(body, "currency", at: "")
        let token = reader.string(body, "paymentToken", at: "")
        if let token, token.isEmpty || token.count > 128 { reader.fail("paymentToken", "must be 1 to 128 characters") }
        var lines: [OrderLine] = []
        if let items = reader.array(body, "items", at: "") {
            if items.isEmpty { reader.fail("items", "must have at least one item") }
            if items.count > Self.maximumLines { reader.fail("items", "must have at most \(Self.maximumLines) items, not \(items.count)") }
            for (index, item) in items.prefix(Self.maximumLines).enumerated() {
                if let line = Self.line(item, at: "items[\(index)]", &reader) { lines.append(line) }
            }
        }
        try reader.check()
        guard let customerID, let currency, let token else { throw Problem.invalid(reader.errors) }
        self.init(customerID: customerID, lines: lines, currency: currency, paymentToken: token)
    }

    private static func line(_ item: JSONValue, at path: String, _ reader: inout FieldReader) -> OrderLine? {
        guard let item = reader.object(item, at: path, allowed: ["productId", "sku", "quantity", "unitPriceMinor"]) else { return nil }
        let product = reader.uuid(item, "productId", at: path)
        let sku = reader.string(item, "sku", at: path)
        if let sku, sku.isEmpty || sku.count > 64 { reader.fail(path + ".sku", "must be 1 to 64 characters") }
        let quantity = reader.integer(item, "quantity", at: path)
        if let quantity, !(1...Int64(Int32.max)).contains(quantity) {
            reader.fail(path + ".quantity", "must be a positive integer (at most \(Int32.max)), not \(quantity)")
        }
        let price = reader.integer(item, "unitPriceMinor", at: path)
        if let price, price < 0 { reader.fail(path + ".unitPriceMinor", "must not be negative, not \(price)") }
        guard let product, let sku, let quantity, let price, (1...Int64(Int32.max)).contains(quantity), price >= 0 else { return nil }
        return OrderLine(productID: product, sku: sku, quantity: Int32(quantity), unitPriceMinor: price)
    }

    /// The body as JSON (what ``init(json:)`` reads).
    public var json: JSONValue {
        .object([
            ("customerId", .string(customerID.uuidString.lowercased())),
            ("items", .array(lines.map { line in
                .object([
                    ("productId", .string(line.productID.uuidString.lowercased())), ("sku", .string(line.sku)),
                    ("quantity", .integer(Int64(line.quantity))), ("unitPriceMinor", .integer(line.unitPriceMinor)),
                ])
            })),
            ("currency", .string(currency)),
            ("paymentToken", .string(paymentToken)),
        ])
    }

    /// Whether `order` (as stored) is this request.
    public func matches(_ order: Order) -> Bool {
        order.customerID == customerID && order.lines == lines && order.currency == currency && order.paymentToken == paymentToken
    }
}
