import Hummingbird

/// `POST /transfers`: requests a UPI transfer (which starts the transfer saga) through a ``TransferRequesting``.
public struct TransferRoutes: Sendable {
    /// The routes this group registers.
    public static let routes = [APIRoute(.post, "/transfers", access: .startSagas)]

    private let transfers: any TransferRequesting

    /// Serves transfers through `transfers` (``KafkaTransferRequester``).
    public init(transfers: any TransferRequesting) {
        self.transfers = transfers
    }

    /// Adds the routes to `router`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        let transfers = self.transfers
        Self.routes[0].register(on: router) { request, _ in
            let key = try IdempotencyKey.of(request)
            let transfer = try TransferRequest(json: try await JSONRequestBody.json(request))
            let trace = RequestTrace.context(of: request)
            return try await transfers.requestTransfer(transfer, idempotencyKey: key, trace: trace)
                .response(idMember: "transferId", trace: trace)
        }
    }
}
