import Foundation
import Hummingbird

/// `POST /bills/{billId}/settlement`: settles a bill (which starts the bill-settlement saga)
/// through a ``BillSettling``.
public struct BillRoutes: Sendable {
    /// The routes this group registers.
    public static let routes = [APIRoute(.post, "/bills/{billId}/settlement", access: .startSagas)]

    private let bills: any BillSettling

    /// Serves bill settlements through `bills` (``KafkaBillSettler``).
    public init(bills: any BillSettling) {
        self.bills = bills
    }

    /// Adds the routes to `router`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        let bills = self.bills
        Self.routes[0].register(on: router) { request, context in
            let text = context.parameters.get("billId") ?? ""
            guard let billID = UUID(uuidString: text) else {
                throw Problem.invalid([FieldError(field: "billId",
                    message: "must be a UUID like 3f0c2d5e-8a51-4a7e-9a4b-1d2c3e4f5a6b, not \"\(text)\"")])
            }
            let bill = try BillSettlementRequest(json: try await JSONRequestBody.json(request))
            let trace = RequestTrace.context(of: request)
            return try await bills.settle(billID: billID, bill, trace: trace).response(idMember: "billId", trace: trace)
        }
    }
}
